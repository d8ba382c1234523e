import StratusModel

/// Why an archive cannot be written or read. Each says what to do; all map to `StratusError`.
enum BackupError {
    static func io(_ message: String) -> StratusError {
        StratusError(.internalFailure, code: "backup_io", message)
    }

    static func corrupt(_ why: String) -> StratusError {
        StratusError(.badRequest, code: "bad_backup",
                     "the archive is not a sound Stratus backup: \(why); nothing was restored. Use another copy of the backup")
    }

    static let truncated = corrupt("it ends early (truncated: was the copy or download cut short?)")
}
