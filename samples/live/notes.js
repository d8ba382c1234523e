// The notes API: POST adds a note (its key numbered, so the list keeps its order), GET lists them.
function pad(n) { var s = String(n); while (s.length < 8) s = '0' + s; return s; }

function handle() {
    if (stratus.ctx('method') === 'POST') {
        var text = stratus.input();
        if (!text) { stratus.status(400); stratus.write('a note needs some text\n'); return; }
        var n = stratus.kv.incr('count', 1);
        stratus.kv.set('notes/' + pad(n), text);
        stratus.status(201);
        stratus.write('noted ' + n + '\n');
        return;
    }
    var notes = stratus.kv.scan('notes/', 1000);
    for (var i = 0; i < notes.length; i++) stratus.write(notes[i].value + '\n');
}
