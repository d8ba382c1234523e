enum _PStratusCLI {}
