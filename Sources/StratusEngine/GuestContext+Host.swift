extension GuestContext {
    /// Reads the callee's name and input of `call` and `spawn`: INVALID for a bad range or name,
    /// TOO_LARGE past the input limit.
    func withCallee(_ a: HostArguments, _ body: (String, [UInt8]) -> Int32) -> Int32 {
        guard a.u32(3) <= limits.maxCallInputBytes else { return ABICode.tooLarge.rawValue }
        guard let name = readString(a.range(0)), let input = readBytes(a.range(2)) else { return ABICode.invalid.rawValue }
        return body(name, input)
    }

    /// An outbound request's answer as a buffer whose metadata holds its status and headers.
    func fetch(method: String, url: String, body: [UInt8]) -> Int32 {
        switch host.httpFetch(method: method, url: url, body: body) {
        case .success(let reply): makeBuffer(reply.body, meta: Self.meta(status: reply.status, headers: reply.headers))
        case .failure(let code): code.rawValue
        }
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

    func code(_ result: HostResult<Void>) -> Int32 {
        switch result {
        case .success: 0
        case .failure(let code): code.rawValue
        }
    }

    /// Stops the guest past its deadline. Reading the clock costs about what a quick host call
    /// does, so quick calls read it only every `quickCallsPerDeadlineCheck`th time: at most
    /// that many quick calls run late.
    @inline(__always)
    func checkDeadline(now: Bool) throws {
        guard now || callsToDeadlineCheck == 0 else {
            callsToDeadlineCheck -= 1
            return
        }
        callsToDeadlineCheck = Self.quickCallsPerDeadlineCheck - 1
        let limits = invocation.limits
        guard ContinuousClock.now < limits.deadline else { throw limits.timeoutError() }
    }

    /// Runs a set-up export through `body`: it sees its own input and no grants, and the
    /// invocation's come back after it. What it throws is a ``SetupFailure`` with its log.
    func runSetup(input: [UInt8], _ body: () throws -> Void) throws {
        let (invocation, host) = (self.invocation, self.host)
        var setupInvocation = invocation
        setupInvocation.input = input
        begin(setupInvocation, host: NoHost())
        do {
            try body()
        } catch {
            throw SetupFailure(error: error, logs: logs.lines)
        }
        begin(invocation, host: host)
    }
}
