import Hummingbird
import NIOCore
import StratusModel

/// Reads request bodies up to a limit, answering 413 past it without reading the rest.
enum BodyReader {
    /// Over HTTP/1.1 a request with neither Content-Length nor Transfer-Encoding has no body
    /// (RFC 9112, 6.3): nothing to wait for. Collecting the empty stream cost a GET more than
    /// its route lookup.
    static func hasNone(_ request: Request) -> Bool {
        request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil
    }

    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        // Made only when needed: its message is formatted text, and nearly every body fits.
        var tooLarge: StratusError {
            StratusError(.tooLarge, code: "body_too_large",
                         "the request body is larger than the limit of \(limit) bytes; send less, or raise the server's limit")
        }
        if hasNone(request) { return ByteBuffer() }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }
}
