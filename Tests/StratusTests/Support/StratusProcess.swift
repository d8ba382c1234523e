import Foundation
import Synchronization

/// Runs the built `stratus` executable, as a user would.
enum StratusProcess {
    /// The `stratus` binary next to the test bundle (both are products of the same build).
    static var executable: String {
        get throws {
            var candidates: [String] = []
            let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var dir = runner.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("stratus").path)
                dir = dir.deletingLastPathComponent()
            }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(root.appendingPathComponent(".build/debug/stratus").path)
            if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
            throw TestFailure("the stratus executable was not found (looked at \(candidates)); build it with `swift build` first")
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command (`stratus`, or the `executable` given) to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                    directory: String? = nil, executable tool: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool ?? executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("STRATUS_") }
            .merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// A `stratus serve` process on a free loopback port; stopped with SIGTERM when done.
    final class Server: @unchecked Sendable {
        let process = Process()
        /// `https://...` when the server was told to serve TLS (`--tls` or `STRATUS_TLS=1`).
        let url: String
        let port: Int
        private let log: Pipe

        init(data: String, port chosen: Int? = nil, extra: [String] = [], environment: [String: String] = [:]) throws {
            let port = try chosen ?? freePort()
            self.port = port
            let tls = extra.contains("--tls") || environment["STRATUS_TLS"] == "1"
            url = "\(tls ? "https" : "http")://127.0.0.1:\(port)"
            process.executableURL = URL(fileURLWithPath: try StratusProcess.executable)
            process.arguments = ["serve", "--data", data, "--port", String(port)] + extra
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRATUS_") }.merging(environment) { $1 }
            log = Pipe()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            // Wait for the server to answer its health check.
            for _ in 0..<200 {
                if Self.isUp(port) { return }
                guard process.isRunning else { break }
                usleep(50_000)
            }
            stop()
            let output = String(decoding: log.fileHandleForReading.availableData, as: UTF8.self)
            throw TestFailure("stratus serve did not start: \(output)")
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        /// Stops the server and returns everything it printed (its log).
        func stopAndReadLog() -> String {
            stop()
            return String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }

        /// Ends the server at once, as a crash or power cut would: no shutdown, no flush.
        func crash() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { stop() }

        private static func isUp(_ port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
    }

    /// A port the system says is free now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension StratusProcess {
    /// A long-running command (`logs --follow`) whose output is read as it comes.
    final class Streaming: Sendable {
        private let process: Process
        private final class Collected: Sendable {
            let text = Mutex("")
        }
        private let collected = Collected()

        init(_ arguments: [String]) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: try StratusProcess.executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRATUS_") }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [collected] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                collected.text.withLock { $0 += text }
            }
            try process.run()
        }

        var output: String { collected.text.withLock { $0 } }

        /// Waits up to `seconds` for the output to satisfy `condition`.
        func waitFor(seconds: Double = 15, _ condition: (String) -> Bool) async throws {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if condition(output) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestFailure("the output did not come within \(seconds) s; it is:\n\(output)")
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }
}
