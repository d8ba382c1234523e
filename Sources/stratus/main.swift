import StratusCLI

await StratusCommand.runMain()
