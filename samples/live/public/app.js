// Shows the notes so far, then each new one as the server pushes it over the WebSocket.
const list = document.getElementById('notes');
const status = document.getElementById('status');

function show(text) {
  const item = document.createElement('li');
  item.textContent = text;
  list.appendChild(item);
}

fetch('api/notes').then((reply) => reply.text()).then((text) => {
  text.split('\n').filter((line) => line).forEach(show);
});

const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live/socket');
socket.onmessage = (event) => {
  if (event.data === 'welcome') { status.textContent = 'live'; document.body.dataset.live = 'yes'; return; }
  show(event.data);
};
socket.onclose = () => { status.textContent = 'disconnected'; };

document.getElementById('form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  if (!input.value) return;
  fetch('api/notes', { method: 'POST', body: input.value }).then(() => { input.value = ''; });
});
