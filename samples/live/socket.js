// Each browser's connection: remembered while it is open, so the fan-out can reach it.
function handle() {
    var id = stratus.ctx('connection');
    var event = stratus.ctx('ws.event');
    if (event === 'open') { stratus.kv.set('subs/' + id, '1'); stratus.write('welcome'); }
    else if (event === 'close') { stratus.kv.delete('subs/' + id); }
}
