/// The `kv_*` functions of the `stratus` module (docs/ABI.md). The engine checks pointers and
/// the ABI's size limits; the host services check grants.
extension HostTable {
    static let keyValue: [HostFunction] = [
        HostFunction(stratusModule, "kv_get", [.i32("key_ptr"), .i32("key_len")], waits: true, .i32 { c, a in
            c.withKey(a, 0) { key in
                switch c.host.kvGet(key) {
                case .success(let bytes): c.makeBuffer(bytes)
                case .failure(let code): code.rawValue
                }
            }
        }),
        HostFunction(stratusModule, "kv_set", [.i32("key_ptr"), .i32("key_len"), .i32("val_ptr"), .i32("val_len")], waits: true, .i32 { c, a in
            c.withKey(a, 0) { key in c.withValue(a, 2) { value in c.code(c.host.kvSet(key, value)) } }
        }),
        HostFunction(stratusModule, "kv_delete", [.i32("key_ptr"), .i32("key_len")], waits: true, .i32 { c, a in
            c.withKey(a, 0) { key in c.code(c.host.kvDelete(key)) }
        }),
        HostFunction(stratusModule, "kv_cas", [.i32("key_ptr"), .i32("key_len"), .i32("exp_ptr"), .i32("exp_len"), .i32("val_ptr"), .i32("val_len")],
                     waits: true, .i32 { c, a in
            c.withKey(a, 0) { key in
                c.withValue(a, 4) { value in
                    let expected: [UInt8]?
                    if a.s32(3) == -1 {
                        expected = nil
                    } else {
                        guard let bytes = c.readBytes(a.range(2)) else { return ABICode.invalid.rawValue }
                        expected = bytes
                    }
                    return c.code(c.host.kvCompareAndSwap(key, expected: expected, value: value))
                }
            }
        }),
        HostFunction(stratusModule, "kv_incr", [.i32("key_ptr"), .i32("key_len"), .i64("delta"), .i32("out_ptr")], waits: true, .i32 { c, a in
            c.withKey(a, 0) { key in
                let out = a.u32(3)
                // The result's place is checked before the write, so a bad pointer changes nothing.
                guard c.withGuestBytes((out, 8), { _ in true }) != nil else { return ABICode.invalid.rawValue }
                switch c.host.kvIncrement(key, by: a.i64(2)) {
                case .failure(let code): return code.rawValue
                case .success(let sum):
                    _ = c.withGuestBytes((out, 8)) { $0.storeBytes(of: sum.littleEndian, as: Int64.self) }
                    return 0
                }
            }
        }),
        HostFunction(stratusModule, "kv_scan", [.i32("prefix_ptr"), .i32("prefix_len"), .i32("limit")], waits: true, .i32 { c, a in
            guard let prefix = c.readBytes(a.range(0)) else { return ABICode.invalid.rawValue }
            guard prefix.count <= c.limits.maxKeyBytes else { return ABICode.tooLarge.rawValue }
            let limit = a.s32(2)
            guard limit > 0 else { return ABICode.invalid.rawValue }
            switch c.host.kvScan(prefix: prefix, limit: min(Int(limit), c.limits.maxScanLimit)) {
            case .failure(let code): return code.rawValue
            case .success(let entries): return c.makeBuffer(KVEntry.frame(entries))
            }
        }),
    ]
}

extension GuestContext {
    /// Reads the key at parameters `index`, `index + 1`: INVALID when out of bounds, empty or
    /// not UTF-8, TOO_LARGE past 512 bytes.
    fileprivate func withKey(_ a: HostArguments, _ index: Int, _ body: ([UInt8]) -> Int32) -> Int32 {
        let range = a.range(index)
        guard range.len <= limits.maxKeyBytes else { return ABICode.tooLarge.rawValue }
        guard range.len > 0, let key = readBytes(range), String(validating: key, as: UTF8.self) != nil else {
            return ABICode.invalid.rawValue
        }
        return body(key)
    }

    fileprivate func withValue(_ a: HostArguments, _ index: Int, _ body: ([UInt8]) -> Int32) -> Int32 {
        let range = a.range(index)
        guard range.len <= limits.maxValueBytes else { return ABICode.tooLarge.rawValue }
        guard let value = readBytes(range) else { return ABICode.invalid.rawValue }
        return body(value)
    }
}
