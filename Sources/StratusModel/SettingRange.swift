/// The values a numeric setting may take, declared once: the manifest parser, `stratus serve`'s
/// flags and their messages read it, so a value outside it is refused where it is given instead
/// of failing later (a time limit so long that its deadline overflows the clock).
public struct SettingRange: Sendable {
    public let range: ClosedRange<Int>
    /// What a value counts, for messages: "milliseconds", "MiB".
    public let unit: String

    public init(_ range: ClosedRange<Int>, _ unit: String) {
        self.range = range
        self.unit = unit
    }

    /// `text` as a value of this setting, or what is wrong with it.
    public func parse(_ text: String) -> Result<Int, SettingProblem> {
        guard let value = Int(text) else {
            return .failure(SettingProblem(message: "`\(text)` must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit))"))
        }
        guard range.contains(value) else {
            return .failure(SettingProblem(message: "\(value) is outside the allowed \(range.lowerBound) to \(range.upperBound) (\(unit))"))
        }
        return .success(value)
    }
}

public struct SettingProblem: Error, Sendable {
    public let message: String
}

extension SettingRange {
    /// `limits.timeout_ms` and `serve --timeout-ms`: up to 15 minutes, as long as a serverless
    /// invocation is expected to run.
    public static let timeoutMs = SettingRange(1...900_000, "milliseconds")
    /// `limits.memory_mb` and `serve --memory-mb`: a 32-bit WebAssembly memory holds 4 GiB at most.
    public static let memoryMB = SettingRange(1...4096, "MiB")
    /// `limits.call_depth` and `serve --call-depth`: each level of nested calls holds a native
    /// stack frame chain on one worker thread.
    public static let callDepth = SettingRange(1...256, "levels")
    /// A plan's `parallelism`.
    public static let parallelism = SettingRange(1...64, "parts at once")
    /// A plan's `split.lines`.
    public static let splitLines = SettingRange(1...10_000_000, "lines")
    /// A plan's `split.bytes`: up to 1 GiB.
    public static let splitBytes = SettingRange(1...(1 << 30), "bytes")

    /// `serve --port`: 0 lets the system pick a free port (the log says which).
    public static let port = SettingRange(0...65_535, "a TCP port; 0 picks a free one")
    /// `serve --body-limit`: up to 1 GiB, which a request's body is held in memory as.
    public static let bodyLimit = SettingRange(1...(1 << 30), "bytes")
    /// `serve --idle-timeout`: up to a day.
    public static let idleTimeout = SettingRange(1...86_400, "seconds")
    /// `serve --max-restore-mb`: up to 1 TiB.
    public static let restoreMB = SettingRange(1...(1 << 20), "MiB")
    /// `serve --workers`: at least 2, so one function never holds them all.
    public static let workers = SettingRange(2...1024, "workers")
}
