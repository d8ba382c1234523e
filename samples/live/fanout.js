// Runs on each note written: sends it to every open connection, forgetting those that are gone.
function handle() {
    var note = stratus.input();
    var subs = stratus.kv.scan('subs/', 1000);
    for (var i = 0; i < subs.length; i++) {
        var id = subs[i].key.substring('subs/'.length);
        if (!stratus.ws.send(id, note)) stratus.kv.delete(subs[i].key);
    }
}
