enum _PStratusRuntime {}
