extension String {
    /// Percent-decoded text; the text itself when it is not valid percent-encoding.
    public var removingPercentEncodingOrSelf: String {
        // Searched as bytes: a search by Character costs more, on the path of every request.
        guard utf8.contains(0x25) else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25, let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else if byte == 0x25 {
                return self
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }
}
