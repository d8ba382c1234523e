import CompressNIO
import Foundation
import Hummingbird
import StratusModel
import StratusRuntime

/// Serves the files of apps' static folders: the type from the extension, a strong `ETag` (the
/// content's sha256) with `If-None-Match`, `Last-Modified` with `If-Modified-Since`, one byte
/// range, and gzip for text when the client accepts it and it saves something.
struct StaticResponder: Sendable {
    let platform: Platform

    func respond(_ request: Request, path: String, app: String, folder: String, rest: String) async throws -> Response {
        // The prefix alone (`/assets`) is its folder's index, whose relative links need the `/`.
        if rest.isEmpty && !path.hasSuffix("/") { return Self.redirect(to: path + "/") }
        let file: StaticFile
        switch try await platform.staticFile(app: app, folder: folder, path: rest) {
        case .notFound:
            throw StratusError(.notFound, code: "file_not_found", "no file \(path) in app `\(app)`'s static folder `\(folder)`")
        case .folder:
            return Self.redirect(to: path + "/")
        case .file(let found):
            file = found
        }
        let type = Self.contentType(of: file.path)
        let tag = "\"\(file.sha256.prefix(32))\""
        let modified = Self.httpDate(file.modified)
        var headers: HTTPFields = [.contentType: type, .eTag: tag, .lastModified: modified, .acceptRanges: "bytes",
                                   .cacheControl: "no-cache"]
        if Self.isText(type) { headers[.vary] = "Accept-Encoding" }
        if let match = request.headers[.ifNoneMatch] {
            if match == "*" || match.split(separator: ",").contains(where: { Self.sameTag($0, tag) }) {
                return Response(status: .notModified, headers: headers)
            }
        } else if let since = request.headers[.ifModifiedSince].flatMap(Self.parseHTTPDate),
                  Int(file.modified.timeIntervalSince1970) <= Int(since.timeIntervalSince1970) {
            return Response(status: .notModified, headers: headers)
        }
        let headOnly = request.method == .head
        if let range = request.headers[.range] {
            switch Self.byteRange(range, size: file.bytes.count) {
            case .whole:
                break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(file.bytes.count)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .part(let part):
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(file.bytes.count)"
                return Response(status: .partialContent, headers: headers,
                                body: headOnly ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes[part])))
            }
        }
        var body = file.bytes
        if Self.isText(type), file.bytes.count >= 256, Self.acceptsGzip(request.headers[.acceptEncoding]),
           let compressed = gzip(file), compressed.count < file.bytes.count {
            body = compressed
            headers[.contentEncoding] = "gzip"
            // A different representation needs a different tag, or caches would mix them up.
            headers[.eTag] = "\"\(file.sha256.prefix(32))-gzip\""
        }
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: headOnly ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The gzip form of a file, made once per content.
    private func gzip(_ file: StaticFile) -> [UInt8]? {
        let key = file.sha256 + ".gz"
        if let cached = platform.fileCache.get(key) { return cached }
        var input = ByteBuffer(bytes: file.bytes)
        guard let output = try? input.compress(with: .gzip()) else { return nil }
        let bytes = Array(buffer: output)
        platform.fileCache.put(key, bytes)
        return bytes
    }

    private static func redirect(to location: String) -> Response {
        Response(status: .movedPermanently, headers: [.location: location])
    }

    private static func sameTag(_ candidate: Substring, _ tag: String) -> Bool {
        var text = candidate.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        // The gzip form's tag names the same content.
        return text == tag || text == String(tag.dropLast()) + "-gzip\""
    }

    private static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return fields.first == "gzip" && !fields.dropFirst().contains { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }
        }
    }

    enum RangeAnswer: Equatable {
        case whole, unsatisfiable
        case part(Range<Int>)
    }

    /// One range of `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; several ranges, or a
    /// header of another unit, get the whole file (RFC 9110 allows ignoring Range).
    static func byteRange(_ header: String, size: Int) -> RangeAnswer {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2 else { return .whole }
        if bounds[0].isEmpty {
            guard let suffix = Int(bounds[1]), suffix > 0 else { return .unsatisfiable }
            return size == 0 ? .unsatisfiable : .part(max(0, size - suffix)..<size)
        }
        guard let first = Int(bounds[0]), first >= 0 else { return .whole }
        guard first < size else { return .unsatisfiable }
        let last = bounds[1].isEmpty ? size - 1 : min(Int(bounds[1]) ?? -1, size - 1)
        guard last >= first else { return bounds[1].isEmpty ? .unsatisfiable : .whole }
        return .part(first..<(last + 1))
    }

    static func contentType(of path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        let type = types[ext] ?? "application/octet-stream"
        return isText(type) ? type + "; charset=utf-8" : type
    }

    static func isText(_ type: String) -> Bool {
        type.hasPrefix("text/") || type.hasPrefix("application/javascript") || type.hasPrefix("application/json")
            || type.hasPrefix("image/svg+xml") || type.hasPrefix("application/xml") || type.hasPrefix("application/manifest+json")
    }

    private static let types: [String: String] = [
        "html": "text/html", "htm": "text/html", "css": "text/css", "js": "application/javascript", "mjs": "application/javascript",
        "json": "application/json", "map": "application/json", "webmanifest": "application/manifest+json", "txt": "text/plain",
        "md": "text/markdown", "csv": "text/csv", "xml": "application/xml", "svg": "image/svg+xml", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif",
        "ico": "image/x-icon", "wasm": "application/wasm", "pdf": "application/pdf", "woff": "font/woff", "woff2": "font/woff2",
        "ttf": "font/ttf", "otf": "font/otf", "mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "mp4": "video/mp4",
        "webm": "video/webm", "zip": "application/zip", "gz": "application/gzip",
    ]

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
