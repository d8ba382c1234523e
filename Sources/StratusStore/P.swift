enum _PStratusStore {}
