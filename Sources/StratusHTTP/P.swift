enum _PStratusHTTP {}
