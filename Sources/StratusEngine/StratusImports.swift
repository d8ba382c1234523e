import Foundation
import WasmKit

/// Host functions of the `stratus` import module (docs/ABI.md), bound to one invocation.
extension GuestContext {
    func stratusFunction(_ name: String, store: Store) -> Function? {
        guard let type = HostABI.stratus[name] else { return nil }
        if name == "now_ns" {
            return Function(store: store, parameters: [], results: [.i64], raw: { _, _, out in
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                out[0] = .i64(UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec))
            })
        }
        let body: (UnsafeBufferPointer<Value>) -> Int32
        switch name {
        case "buf_len":
            body = { p in self.bufferLength(s(p[0])) }
        case "buf_read":
            body = { p in
                guard let buffer = self.buffer(s(p[0])) else { return ABICode.badHandle.rawValue }
                return self.copyOut(buffer.bytes, from: p[1].i32, to: p[2].i32, cap: p[3].i32)
            }
        case "buf_free":
            body = { p in self.freeBuffer(s(p[0])) }
        case "buf_meta":
            body = { p in
                guard let buffer = self.buffer(s(p[0])) else { return ABICode.badHandle.rawValue }
                guard let name = self.readString(p[1].i32, p[2].i32) else { return ABICode.invalid.rawValue }
                guard let value = buffer.meta[name.lowercased()] else { return ABICode.notFound.rawValue }
                return self.makeBuffer(Array(value.utf8))
            }
        case "input":
            body = { _ in self.makeBuffer(self.invocation.input) }
        case "ctx":
            body = { p in
                guard let name = self.readString(p[0].i32, p[1].i32) else { return ABICode.invalid.rawValue }
                guard let value = self.contextValue(name) else { return ABICode.notFound.rawValue }
                return self.makeBuffer(Array(value.utf8))
            }
        case "out_write":
            body = { p in
                let result = self.withGuestBytes(p[0].i32, p[1].i32) { self.output.append(UnsafeRawBufferPointer($0)) }
                guard let result else { return ABICode.invalid.rawValue }
                return result ? 0 : ABICode.tooLarge.rawValue
            }
        case "out_status":
            body = { p in
                let code = s(p[0])
                guard (100...599).contains(code) else { return ABICode.invalid.rawValue }
                self.status = Int(code)
                return 0
            }
        case "out_header":
            body = { p in
                guard let header = self.header(name: (p[0].i32, p[1].i32), value: (p[2].i32, p[3].i32)) else { return ABICode.invalid.rawValue }
                self.addHeader(header)
                return 0
            }
        case "log":
            body = { p in
                guard let level = LogLine.Level(rawValue: Int(s(p[0]))),
                      let bytes = self.readBytes(p[1].i32, p[2].i32)
                else { return ABICode.invalid.rawValue }
                self.logs.append(level, String(decoding: bytes, as: UTF8.self))
                return 0
            }
        case "spawn":
            body = { p in
                self.withCallee(p) { name, input in
                    switch self.host.spawn(name, input: input) {
                    case .success: 0
                    case .failure(let code): code.rawValue
                    }
                }
            }
        case "call":
            body = { p in
                self.withCallee(p) { name, input in
                    switch self.host.call(name, input: input) {
                    case .success(let output): self.makeBuffer(output.body, meta: Self.meta(status: output.status, headers: output.headers))
                    case .failure(let code): code.rawValue
                    }
                }
            }
        case "ws_send":
            body = { p in
                guard p[3].i32 <= self.limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
                guard let connection = self.readString(p[0].i32, p[1].i32), let data = self.readBytes(p[2].i32, p[3].i32) else {
                    return ABICode.invalid.rawValue
                }
                switch self.host.wsSend(connection, data) {
                case .success: return 0
                case .failure(let code): return code.rawValue
                }
            }
        case "ws_close":
            body = { p in
                guard let connection = self.readString(p[0].i32, p[1].i32) else { return ABICode.invalid.rawValue }
                switch self.host.wsClose(connection) {
                case .success: return 0
                case .failure(let code): return code.rawValue
                }
            }
        case "http_fetch":
            body = { p in
                guard p[5].i32 <= self.limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
                guard let method = self.readString(p[0].i32, p[1].i32), let url = self.readString(p[2].i32, p[3].i32),
                      let bytes = self.readBytes(p[4].i32, p[5].i32), HeaderRules.isValidName(method)
                else { return ABICode.invalid.rawValue }
                switch self.host.httpFetch(method: method.uppercased(), url: url, body: bytes) {
                case .success(let reply): return self.makeBuffer(reply.body, meta: Self.meta(status: reply.status, headers: reply.headers))
                case .failure(let code): return code.rawValue
                }
            }
        default:
            guard let kv = kvFunction(name) else { return nil }
            body = kv
        }
        return i32Function(store: store, type: type, waits: !Self.quick.contains(name), body)
    }

    /// The `stratus` host calls that never wait: they only touch the invocation's own state.
    /// The others wait on the store, the network or other functions.
    private static let quick: Set<String> = ["buf_len", "buf_read", "buf_free", "buf_meta", "input", "ctx", "out_write", "out_status",
                                             "out_header", "log"]
}

extension GuestContext {
    /// Reads the callee's name and input of `call` and `spawn`: INVALID for a bad range or name,
    /// TOO_LARGE past the input limit.
    private func withCallee(_ p: UnsafeBufferPointer<Value>, _ body: (String, [UInt8]) -> Int32) -> Int32 {
        guard p[3].i32 <= limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
        guard let name = readString(p[0].i32, p[1].i32), let input = readBytes(p[2].i32, p[3].i32) else {
            return ABICode.invalid.rawValue
        }
        return body(name, input)
    }

    /// An answer's status and headers, for `buf_meta` on its body's buffer: `status` and
    /// `header.<lowercase-name>` (repeated headers joined with `, `).
    static func meta(status: Int, headers: [Header]) -> [String: String] {
        var meta = ["status": String(status)]
        for header in headers {
            let key = "header.\(header.name.lowercased())"
            meta[key] = meta[key].map { "\($0), \(header.value)" } ?? header.value
        }
        return meta
    }

    /// A host function whose one `i32` result is what `body` answers for its parameters. Past
    /// the invocation's deadline (time spent in the host, such as a long call, burns no fuel)
    /// it stops the guest instead. One that `waits` (on the store, the network, another
    /// function) checks the deadline before it runs and has the next host call check it too.
    func i32Function(store: Store, type: FunctionType, waits: Bool,
                     _ body: @escaping (UnsafeBufferPointer<Value>) -> Int32) -> Function {
        Function(store: store, parameters: type.parameters, results: type.results, raw: { _, p, out in
            try self.checkDeadline(now: waits)
            out[0] = .i32(UInt32(bitPattern: body(p)))
            if waits { self.callsToDeadlineCheck = 0 }
        })
    }

    /// Stops the guest past its deadline. Reading the clock costs about what a quick host call
    /// does, so quick calls read it only every `quickCallsPerDeadlineCheck`th time: at most
    /// that many quick calls run late.
    private func checkDeadline(now: Bool) throws {
        guard now || callsToDeadlineCheck == 0 else {
            callsToDeadlineCheck -= 1
            return
        }
        callsToDeadlineCheck = Self.quickCallsPerDeadlineCheck - 1
        let limits = invocation.limits
        guard ContinuousClock.now < limits.deadline else { throw limits.timeoutError() }
    }
}

/// An `i32` parameter read as signed.
@inline(__always)
func s(_ value: Value) -> Int32 { Int32(bitPattern: value.i32) }

/// What a guest may put in a response header.
enum HeaderRules {
    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= 256 && bytes.allSatisfy(isTokenByte)
    }

    static func isValidValue(_ value: String) -> Bool {
        value.utf8.count <= 8192 && !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    /// RFC 9110's token characters (visible ASCII but separators) as a bit set, checked per
    /// byte on every header a guest sets: a search of the separators string cost more than
    /// the rest of the header's way to the response.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte < 64 ? tokenLow >> byte & 1 == 1 : byte < 128 && tokenHigh >> (byte - 64) & 1 == 1
    }

    private static let (tokenLow, tokenHigh): (UInt64, UInt64) = {
        var (low, high): (UInt64, UInt64) = (0, 0)
        for byte in UInt8(0x21)..<0x7F where !"()<>@,;:\\\"/[]?={}".utf8.contains(byte) {
            if byte < 64 { low |= 1 << byte } else { high |= 1 << (byte - 64) }
        }
        return (low, high)
    }()
}
