import WasmKit
@_spi(WASIPlatform) import WASI

/// The CGI/WAGI conventions for WASI commands: the environment a program sees, and the header
/// lines it may print before its body.
enum CGI {
    /// The app's variables by name, then the CGI variables, which win over a variable of the
    /// same name so a program can trust them.
    static func environment(for invocation: Invocation) -> [String: String] {
        let context = invocation.values
        var env: [String: String] = [:]
        for (key, value) in context where key.hasPrefix("var.") {
            env[String(key.dropFirst(4))] = value
        }
        for (key, value) in context {
            if key.hasPrefix("header.") {
                let name = key.dropFirst(7).uppercased().map { $0 == "-" ? "_" : $0 }
                env["HTTP_" + String(name)] = value
            } else if key.hasPrefix("param.") {
                env["PARAM_" + String(key.dropFirst(6))] = value
            }
        }
        for key in ["app", "function", "invocation", "trigger"] {
            if let value = context[key] { env["STRATUS_" + key.uppercased()] = value }
        }
        env["GATEWAY_INTERFACE"] = "CGI/1.1"
        env["SERVER_SOFTWARE"] = "Stratus"
        env["REQUEST_METHOD"] = context["method"] ?? "POST"
        env["PATH_INFO"] = context["path"] ?? "/"
        env["QUERY_STRING"] = context["query"] ?? ""
        env["CONTENT_LENGTH"] = String(invocation.input.count)
        env["CONTENT_TYPE"] = context["header.content-type"]
        return env
    }

    /// If the body starts with CGI header lines and a blank line, moves them to the response:
    /// `Status: 404 Not Found` sets the status, other lines become headers. A body whose first
    /// lines are not all `Name: value`, or name none of Content-Type, Location and Status, is
    /// left as it is.
    static func applyHeaders(to output: inout InvocationOutput) {
        let body = output.body
        let window = body.prefix(16 << 10)
        var lines: [(name: String, value: String)] = []
        var index = window.startIndex
        while index < window.endIndex {
            guard let newline = window[index...].firstIndex(of: 0x0A) else { return }
            var line = window[index..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            index = newline + 1
            if line.isEmpty {
                // RFC 3875: a CGI response has a Content-Type, Location or Status field; without
                // one, text that merely looks like headers stays in the body.
                guard lines.contains(where: { ["content-type", "location", "status"].contains($0.name.lowercased()) }) else { return }
                apply(lines, to: &output)
                output.body = Array(body[index...])
                return
            }
            guard let colon = line.firstIndex(of: 0x3A),
                  let name = String(validating: line[line.startIndex..<colon], as: UTF8.self),
                  HeaderRules.isValidName(name),
                  let value = String(validating: line[(colon + 1)...], as: UTF8.self)
            else { return }
            lines.append((name, value.trimmingSpaces))
        }
    }

    private static func apply(_ lines: [(name: String, value: String)], to output: inout InvocationOutput) {
        for (name, value) in lines {
            if name.lowercased() == "status" {
                if let code = Int(value.prefix { $0.isNumber }), (100...599).contains(code) { output.status = code }
            } else if HeaderRules.isValidValue(value) {
                output.headers.append(Header(name, value))
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension CGI {
    /// WASI's `environ_get` or `environ_sizes_get`, answering with the environment of the
    /// invocation `context` serves at the time of the call.
    static func environmentFunction(_ name: String, _ context: GuestContext) -> ([Value]) -> [Value] {
        { values in
            let entries = environment(for: context.invocation).map { Array("\($0.key)=\($0.value)".utf8) + [0] }
            let first = values[0].i32, second = values[1].i32
            var ok: Bool
            if name == "environ_sizes_get" {
                ok = context.writeU32(UInt32(entries.count), at: first)
                    && context.writeU32(UInt32(entries.reduce(0) { $0 + $1.count }), at: second)
            } else {
                ok = true
                var text = second
                for (index, entry) in entries.enumerated() where ok {
                    ok = context.writeU32(text, at: first &+ UInt32(index * 4))
                        && context.copyOut(entry, from: 0, to: text, cap: UInt32(entry.count)) == Int32(entry.count)
                    text &+= UInt32(entry.count)
                }
            }
            return [.i32(ok ? 0 : UInt32(WASIAbi.Errno.EFAULT.rawValue))]
        }
    }
}
