/// One host function of the guest ABI, declared once: its module and name, its named
/// parameters, whether it may wait, and its body. Deploy validation, each engine's binding,
/// the deadline check and the reference in docs/ABI.md all derive from ``HostTable``.
struct HostFunction: Sendable {
    /// A parameter as the ABI reference names it.
    struct Parameter: Sendable, Equatable {
        var name: String
        var type: ABIType

        static func i32(_ name: String) -> Parameter { Parameter(name: name, type: .i32) }
        static func i64(_ name: String) -> Parameter { Parameter(name: name, type: .i64) }
    }

    /// The body, by the type of its one result: the signature's result derives from it.
    enum Body: Sendable {
        case i32(@Sendable (GuestContext, HostArguments) throws -> Int32)
        case i64(@Sendable (GuestContext, HostArguments) throws -> Int64)
    }

    let module: String
    let name: String
    let parameters: [Parameter]
    /// Whether it may wait (on the store, the network, another function): such a call checks
    /// the deadline before it runs and has the next call check it too. The others touch only
    /// the invocation's own state.
    let waits: Bool
    let body: Body

    init(_ module: String, _ name: String, _ parameters: [Parameter], waits: Bool = false, _ body: Body) {
        precondition(parameters.count <= HostArguments.capacity, "\(name): more parameters than HostArguments holds")
        self.module = module
        self.name = name
        self.parameters = parameters
        self.waits = waits
        self.body = body
    }

    var result: ABIType {
        switch body {
        case .i32: .i32
        case .i64: .i64
        }
    }

    /// Runs the body for a guest's call: stops the guest past its deadline instead (time in the
    /// host, such as a long call, burns no fuel). The raw bits of the result, as both engines
    /// store them.
    @inline(__always)
    func call(_ context: GuestContext, _ arguments: HostArguments) throws -> UInt64 {
        try context.checkDeadline(now: waits)
        let result: UInt64
        switch body {
        case .i32(let body): result = UInt64(UInt32(bitPattern: try body(context, arguments)))
        case .i64(let body): result = UInt64(bitPattern: try body(context, arguments))
        }
        if waits { context.callsToDeadlineCheck = 0 }
        return result
    }

    /// As the ABI reference writes it: `kv_incr(key_ptr, key_len, delta: i64, out_ptr)`, with
    /// ` → i64` after a result other than `i32`.
    var signature: String {
        let names = parameters.map { $0.type == .i32 ? $0.name : "\($0.name): \($0.type)" }
        return "\(name)(\(names.joined(separator: ", ")))" + (result == .i32 ? "" : " → \(result)")
    }
}

/// The value types of the host ABI's signatures.
enum ABIType: String, Sendable {
    case i32, i64
}

/// A host call's parameters, as the raw bits both engines hold them in: an `i32` in the low
/// half. Held inline, so a call allocates nothing.
struct HostArguments {
    static let capacity = 6
    private var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)

    init() {}

    subscript(index: Int) -> UInt64 {
        get { withUnsafeBytes(of: slots) { $0.load(fromByteOffset: index * 8, as: UInt64.self) } }
        set { withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: newValue, toByteOffset: index * 8, as: UInt64.self) } }
    }

    /// Parameter `index` as an unsigned `i32` (a pointer or a length).
    @inline(__always)
    func u32(_ index: Int) -> UInt32 { UInt32(truncatingIfNeeded: self[index]) }

    /// Parameter `index` as a signed `i32` (a handle, a code, a level).
    @inline(__always)
    func s32(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: self[index]) }

    @inline(__always)
    func i64(_ index: Int) -> Int64 { Int64(bitPattern: self[index]) }

    /// Parameters `index` and `index + 1` as a pointer and a length.
    @inline(__always)
    func range(_ index: Int) -> (ptr: UInt32, len: UInt32) { (u32(index), u32(index + 1)) }
}

/// A guest's linear memory as host functions reach it, whichever engine runs the guest.
protocol GuestMemoryView {
    var byteCount: Int { get }
    /// Runs `body` on `count` bytes at `offset`, which the caller has checked are inside.
    func withBytes<T>(offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T
}
