import Foundation

/// This process's CPU time, memory, threads and open files, read from Linux's `/proc`.
struct ProcessStats {
    var cpuSeconds: Double = 0
    var residentBytes: Double = 0
    var virtualBytes: Double = 0
    var threads: Double = 0
    var openFiles: Double = 0
    var startTime: Double = 0

    static func read() -> ProcessStats {
        var stats = ProcessStats()
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return stats }
        // Fields after the command name, which may hold spaces: the first here is field 3, state.
        let fields = text[text.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double { Double(fields[number - 3]) ?? 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        stats.cpuSeconds = (field(14) + field(15)) / ticks
        stats.threads = field(20)
        stats.virtualBytes = field(23)
        stats.residentBytes = field(24) * Double(sysconf(Int32(_SC_PAGESIZE)))
        stats.startTime = bootTime + field(22) / ticks
        stats.openFiles = Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
        return stats
    }

    /// When the machine booted, in seconds since 1970 (`btime` in /proc/stat).
    private static let bootTime: Double = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) else { return 0 }
        return Double(line.dropFirst(6)) ?? 0
    }()
}
