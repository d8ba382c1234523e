import Foundation
import StratusEngine
import StratusModel

/// An invocation one node hands to another over the internal endpoint. On the wire it is a
/// frame (see ``ForwardFrame``): its metadata as JSON, then the input as it is.
public struct ForwardedCall: Sendable, Equatable {
    public var app: String
    public var function: String
    /// The trigger's context values (`trigger`, `method`, `header.*`, ...); the node that runs it
    /// adds app, function, invocation, node and variables.
    public var context: [String: String]
    /// How many calls deep it runs, so the call depth limit holds across nodes.
    public var depth: Int
    /// What is left of the caller's deadline, in milliseconds; nil when the caller has none.
    public var timeLeftMs: Int64?
    public var input: [UInt8]

    public init(app: String, function: String, context: [String: String], depth: Int, timeLeftMs: Int64?, input: [UInt8]) {
        self.app = app
        self.function = function
        self.context = context
        self.depth = depth
        self.timeLeftMs = timeLeftMs
        self.input = input
    }

    private struct Meta: Codable {
        var app: String
        var function: String
        var context: [String: String]
        var depth: Int
        var timeLeftMs: Int64?
    }

    public func encoded() -> [UInt8] {
        ForwardFrame.encode(Meta(app: app, function: function, context: context, depth: depth, timeLeftMs: timeLeftMs), body: input)
    }

    public init(decoding bytes: [UInt8]) throws {
        let (meta, input) = try ForwardFrame.decode(Meta.self, from: bytes, what: "forwarded call")
        self.init(app: meta.app, function: meta.function, context: meta.context, depth: meta.depth, timeLeftMs: meta.timeLeftMs, input: input)
    }
}

/// A message for (or the close of) a WebSocket connection that lives on another node: a
/// function's `ws_send` or `ws_close` handed to the node holding the connection.
public struct ForwardedWebSocket: Sendable, Equatable {
    public var app: String
    public var connection: String
    /// Close the connection rather than send `data`.
    public var close: Bool
    public var data: [UInt8]

    public init(app: String, connection: String, close: Bool, data: [UInt8]) {
        self.app = app
        self.connection = connection
        self.close = close
        self.data = data
    }

    private struct Meta: Codable {
        var app: String
        var connection: String
        var close: Bool
    }

    public func encoded() -> [UInt8] {
        ForwardFrame.encode(Meta(app: app, connection: connection, close: close), body: data)
    }

    public init(decoding bytes: [UInt8]) throws {
        let (meta, data) = try ForwardFrame.decode(Meta.self, from: bytes, what: "forwarded WebSocket message")
        self.init(app: meta.app, connection: meta.connection, close: meta.close, data: data)
    }
}

/// How an invocation forwarded to another node ended, as the frame that carries it back: the
/// output, or the failure with its code and kind, with the guest's log lines either way.
public enum ForwardedAnswer {
    private struct Meta: Codable {
        struct Line: Codable {
            var level: Int
            var message: String
            var source: String
        }
        struct Failure: Codable {
            var kind: String
            var code: String
            var message: String
        }
        var status: Int
        var headers: [[String]]
        var logs: [Line]
        var failure: Failure?
    }

    public static func encode(_ result: Result<InvocationOutput, InvocationFailure>) -> [UInt8] {
        let (output, failure): (InvocationOutput, InvocationFailure?) = switch result {
        case .success(let output): (output, nil)
        case .failure(let failure): (InvocationOutput(status: failure.error.httpStatus, logs: failure.logs), failure)
        }
        let meta = Meta(status: output.status, headers: output.headers.map { [$0.name, $0.value] },
                        logs: output.logs.map { Meta.Line(level: $0.level.rawValue, message: $0.message, source: $0.source.rawValue) },
                        failure: failure.map { Meta.Failure(kind: $0.error.kind.rawValue, code: $0.error.code, message: $0.error.message) })
        return ForwardFrame.encode(meta, body: output.body)
    }

    public static func decode(_ bytes: [UInt8]) throws -> Result<InvocationOutput, InvocationFailure> {
        let (meta, body) = try ForwardFrame.decode(Meta.self, from: bytes, what: "forwarded answer")
        let logs = meta.logs.map { LogLine(LogLine.Level(rawValue: $0.level) ?? .info, $0.message, source: LogLine.Source(rawValue: $0.source) ?? .log) }
        if let failure = meta.failure {
            let error = StratusError(StratusError.Kind(rawValue: failure.kind) ?? .internalFailure, code: failure.code, failure.message)
            return .failure(InvocationFailure(error, logs: logs))
        }
        let headers = meta.headers.compactMap { $0.count == 2 ? Header($0[0], $0[1]) : nil }
        return .success(InvocationOutput(status: meta.status, headers: headers, body: body, logs: logs))
    }
}

/// `[u32 little-endian length][JSON metadata][body]`: bodies cross as they are, not in base64.
enum ForwardFrame {
    static func encode<Meta: Encodable>(_ meta: Meta, body: [UInt8]) -> [UInt8] {
        let json = (try? JSONEncoder().encode(meta)) ?? Data("{}".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + json.count + body.count)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        bytes.append(contentsOf: body)
        return bytes
    }

    static func decode<Meta: Decodable>(_ type: Meta.Type, from bytes: [UInt8], what: String) throws -> (Meta, [UInt8]) {
        guard bytes.count >= 4 else { throw malformed(what, "shorter than its length prefix") }
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard length <= bytes.count - 4 else { throw malformed(what, "its metadata runs past the end") }
        do {
            let meta = try JSONDecoder().decode(Meta.self, from: Data(bytes[4..<(4 + length)]))
            return (meta, Array(bytes[(4 + length)...]))
        } catch {
            throw malformed(what, "its metadata is not what this version expects (\(error)); run the same Stratus version on every node")
        }
    }

    private static func malformed(_ what: String, _ problem: String) -> StratusError {
        StratusError(.badRequest, code: "bad_forward", "the \(what) is malformed: \(problem)")
    }
}
