/// The state of one invocation that host functions read and write: buffers, the response and
/// the log. An instance's host functions hold its context for the instance's life, so a pooled
/// instance's context is started afresh (`begin`) for each invocation. Confined to the thread
/// running the guest.
final class GuestContext {
    struct Buffer {
        var bytes: [UInt8]
        var meta: [String: String] = [:]
    }

    private(set) var invocation: Invocation
    private(set) var host: any HostServices
    let limits: EngineLimits
    let output: OutputSink
    /// Shared with the instances of functions it imports (their lines join its own).
    let logs: LogSink
    var status = 200
    private(set) var headers: [Header] = []
    /// Set once the instance exists; host functions called before that see no memory.
    var memory: (any GuestMemoryView)?

    /// Quick host calls left before one reads the clock (see `checkDeadline`).
    var callsToDeadlineCheck = 0
    static let quickCallsPerDeadlineCheck = 16

    private var buffers: [Int32: Buffer] = [:]
    private var nextHandle: Int32 = 1
    /// The handle naming the response body (`get_output_buffer_id`), made on first use.
    private(set) var outputHandle: Int32?
    private var inputHandle: Int32?

    /// `logs` is where the log lines go: a bound function's join those of the invocation importing it.
    init(invocation: Invocation, host: any HostServices, limits: EngineLimits, logs: LogSink? = nil) {
        self.invocation = invocation
        self.host = host
        self.limits = limits
        self.output = OutputSink(limit: limits.maxOutputBytes)
        self.logs = logs ?? LogSink(limit: limits.maxLogBytes)
    }

    /// Forgets the last invocation and serves `invocation`: what a guest sees through its host
    /// functions must not depend on who ran before it.
    func begin(_ invocation: consuming Invocation, host: any HostServices) {
        self.invocation = invocation
        self.host = host
        // Emptied in place rather than made anew: two allocations fewer per invocation.
        output.reset()
        logs.reset()
        status = 200
        headers = []
        // Its storage is kept: the next invocation's buffers fit in it without allocating.
        buffers.removeAll(keepingCapacity: true)
        nextHandle = 1
        outputHandle = nil
        inputHandle = nil
    }

    /// Adds a response header. Room for a few is made at once: growing one at a time
    /// reallocated on each of a typical guest's first headers.
    func addHeader(_ header: Header) {
        if headers.isEmpty { headers.reserveCapacity(4) }
        headers.append(header)
    }

    /// Headers this instance's guest set before, with the bytes it set them from: a guest sets
    /// the same few on every invocation, and comparing bytes costs less than reading and checking
    /// the text again. A few short ones, so an idle instance holds little.
    private var knownHeaders: [(name: [UInt8], value: [UInt8], header: Header)] = []

    /// The header whose name and value the guest passed (pointer and length each); nil when a
    /// range is out of bounds, or it is not valid text for a header.
    func header(name: (UInt32, UInt32), value: (UInt32, UInt32)) -> Header? {
        // By index: iterating would copy each entry, a retain per field.
        for index in knownHeaders.indices where knownHeaders[index].name.count == name.1 && knownHeaders[index].value.count == value.1 {
            if holds(knownHeaders[index].name, at: name.0), holds(knownHeaders[index].value, at: value.0) { return knownHeaders[index].header }
        }
        guard let text = readString(name), let value = readString(value),
              HeaderRules.isValidName(text), HeaderRules.isValidValue(value)
        else { return nil }
        let header = Header(text, value)
        if knownHeaders.count < 8, value.utf8.count <= 256 { knownHeaders.append((Array(text.utf8), Array(value.utf8), header)) }
        return header
    }

    /// Whether guest memory at `ptr` holds `bytes`.
    private func holds(_ bytes: [UInt8], at ptr: UInt32) -> Bool {
        withGuestBytes((ptr, UInt32(bytes.count))) { $0.elementsEqual(bytes) } ?? false
    }

    /// What `ctx(name)` answers (see `Invocation.value`), read field by field: calling a
    /// method of `invocation` copied the whole invocation, a retain per field.
    func contextValue(_ name: String) -> String? {
        if name == "invocation", let id = invocation.id { return id }
        return invocation.shared[name] ?? invocation.context[name]
    }

    // MARK: Buffers

    /// A new handle for `bytes`, or LIMIT when the guest holds too many.
    func makeBuffer(_ bytes: [UInt8], meta: [String: String] = [:]) -> Int32 {
        guard buffers.count < limits.maxBuffers, nextHandle < Int32.max else { return ABICode.limit.rawValue }
        let handle = nextHandle
        nextHandle += 1
        buffers[handle] = Buffer(bytes: bytes, meta: meta)
        return handle
    }

    func buffer(_ handle: Int32) -> Buffer? {
        if handle == outputHandle { return Buffer(bytes: output.bytes) }
        return buffers[handle]
    }

    /// `buf_len` / `get_buffer_size`: the length, or BAD_HANDLE.
    func bufferLength(_ handle: Int32) -> Int32 {
        buffer(handle).map { Int32(clamping: $0.bytes.count) } ?? ABICode.badHandle.rawValue
    }

    /// `buf_free` / `free_buffer`: 0, or BAD_HANDLE. The output buffer stays: it is the response.
    func freeBuffer(_ handle: Int32) -> Int32 {
        if handle == outputHandle { return 0 }
        return buffers.removeValue(forKey: handle) != nil ? 0 : ABICode.badHandle.rawValue
    }

    /// Appends to a buffer; the output buffer appends to the response body.
    func appendToBuffer(_ handle: Int32, _ bytes: UnsafeRawBufferPointer) -> ABICode? {
        if handle == outputHandle {
            return output.append(bytes) ? nil : .tooLarge
        }
        guard buffers[handle] != nil else { return .badHandle }
        guard buffers[handle]!.bytes.count + bytes.count <= limits.maxOutputBytes else { return .tooLarge }
        buffers[handle]!.bytes.append(contentsOf: bytes)
        return nil
    }

    func setMeta(_ handle: Int32, _ name: String, _ value: String) {
        buffers[handle]?.meta[name] = value
    }

    /// The compatibility module's input buffer: one handle, remade only if the guest freed it.
    func inputBufferHandle() -> Int32 {
        if let inputHandle, buffers[inputHandle] != nil { return inputHandle }
        let handle = makeBuffer(invocation.input)
        if handle > 0 { inputHandle = handle }
        return handle
    }

    func outputBufferHandle() -> Int32 {
        if let outputHandle { return outputHandle }
        let handle = makeBuffer([])
        if handle > 0 { outputHandle = handle }
        return handle
    }

    // MARK: Guest memory

    /// Runs `body` on `len` bytes of guest memory at `ptr`, or returns nil when the range is not
    /// inside the memory; an engine would stop the process on a bad range, so every access is checked.
    func withGuestBytes<T>(_ range: (ptr: UInt32, len: UInt32), _ body: (UnsafeMutableRawBufferPointer) -> T) -> T? {
        guard let memory, UInt64(range.ptr) + UInt64(range.len) <= UInt64(memory.byteCount) else { return nil }
        if range.len == 0 { return body(UnsafeMutableRawBufferPointer(start: nil, count: 0)) }
        return memory.withBytes(offset: Int(range.ptr), count: Int(range.len), body)
    }

    func readBytes(_ range: (ptr: UInt32, len: UInt32)) -> [UInt8]? {
        withGuestBytes(range) { Array($0) }
    }

    /// Guest text: nil when out of bounds or not UTF-8. Read in place, without a copy first;
    /// ASCII (names, header values) skips the general validation, which costs more.
    func readString(_ range: (ptr: UInt32, len: UInt32)) -> String? {
        withGuestBytes(range) { bytes in
            let bytes = UnsafeRawBufferPointer(bytes)
            return bytes.allSatisfy { $0 < 0x80 } ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        } ?? nil
    }

    /// Writes a little-endian `u32` into guest memory; false when out of bounds.
    func writeU32(_ value: UInt32, at ptr: UInt32) -> Bool {
        withGuestBytes((ptr, 4)) { $0.storeBytes(of: value.littleEndian, as: UInt32.self) } != nil
    }

    /// Copies from `bytes[offset...]` into guest memory; bytes copied, or INVALID.
    func copyOut(_ bytes: [UInt8], from offset: UInt32, to ptr: UInt32, cap: UInt32) -> Int32 {
        let start = min(Int(offset), bytes.count)
        let count = min(Int(cap), bytes.count - start)
        let copied: Int32? = withGuestBytes((ptr, UInt32(count))) { dest in
            bytes.withUnsafeBytes { src in
                dest.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + count)]))
            }
            return Int32(count)
        }
        return copied ?? ABICode.invalid.rawValue
    }
}
