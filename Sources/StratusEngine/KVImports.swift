import WasmKit

/// The `kv_*` host functions of the `stratus` module (docs/ABI.md), bound to one invocation. The
/// engine checks pointers and the ABI's size limits; the host services check grants.
extension GuestContext {
    func kvFunction(_ name: String) -> ((UnsafeBufferPointer<Value>) -> Int32)? {
        switch name {
        case "kv_get":
            return { p in
                self.withKey(p[0], p[1]) { key in self.handle(self.host.kvGet(key)) }
            }
        case "kv_set":
            return { p in
                self.withKey(p[0], p[1]) { key in
                    self.withValue(p[2], p[3]) { value in self.code(self.host.kvSet(key, value)) }
                }
            }
        case "kv_delete":
            return { p in
                self.withKey(p[0], p[1]) { key in self.code(self.host.kvDelete(key)) }
            }
        case "kv_cas":
            return { p in
                self.withKey(p[0], p[1]) { key in
                    self.withValue(p[4], p[5]) { value in
                        let expected: [UInt8]?
                        if s(p[3]) == -1 {
                            expected = nil
                        } else {
                            guard let bytes = self.readBytes(p[2].i32, p[3].i32) else { return ABICode.invalid.rawValue }
                            expected = bytes
                        }
                        return self.code(self.host.kvCompareAndSwap(key, expected: expected, value: value))
                    }
                }
            }
        case "kv_incr":
            return { p in
                self.withKey(p[0], p[1]) { key in
                    let out = p[3].i32
                    // The result's place is checked before the write, so a bad pointer changes nothing.
                    guard self.withGuestBytes(out, 8, { _ in true }) != nil else { return ABICode.invalid.rawValue }
                    switch self.host.kvIncrement(key, by: Int64(bitPattern: p[2].i64)) {
                    case .failure(let code): return code.rawValue
                    case .success(let sum):
                        _ = self.withGuestBytes(out, 8) { $0.storeBytes(of: sum.littleEndian, as: Int64.self) }
                        return 0
                    }
                }
            }
        case "kv_scan":
            return { p in
                guard let prefix = self.readBytes(p[0].i32, p[1].i32) else { return ABICode.invalid.rawValue }
                guard prefix.count <= self.limits.maxKeyBytes else { return ABICode.tooLarge.rawValue }
                let limit = s(p[2])
                guard limit > 0 else { return ABICode.invalid.rawValue }
                switch self.host.kvScan(prefix: prefix, limit: min(Int(limit), self.limits.maxScanLimit)) {
                case .failure(let code): return code.rawValue
                case .success(let entries): return self.makeBuffer(KVEntry.frame(entries))
                }
            }
        default:
            return nil
        }
    }

    /// Reads a key: INVALID when out of bounds, empty or not UTF-8, TOO_LARGE past 512 bytes.
    private func withKey(_ ptr: Value, _ len: Value, _ body: ([UInt8]) -> Int32) -> Int32 {
        guard len.i32 <= limits.maxKeyBytes else { return ABICode.tooLarge.rawValue }
        guard len.i32 > 0, let key = readBytes(ptr.i32, len.i32), String(validating: key, as: UTF8.self) != nil else {
            return ABICode.invalid.rawValue
        }
        return body(key)
    }

    private func withValue(_ ptr: Value, _ len: Value, _ body: ([UInt8]) -> Int32) -> Int32 {
        guard len.i32 <= limits.maxValueBytes else { return ABICode.tooLarge.rawValue }
        guard let value = readBytes(ptr.i32, len.i32) else { return ABICode.invalid.rawValue }
        return body(value)
    }

    private func handle(_ result: HostResult<[UInt8]>) -> Int32 {
        switch result {
        case .success(let bytes): makeBuffer(bytes)
        case .failure(let code): code.rawValue
        }
    }

    private func code(_ result: HostResult<Void>) -> Int32 {
        switch result {
        case .success: 0
        case .failure(let code): code.rawValue
        }
    }
}
