import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StratusEngine

/// Outbound HTTP for guests (`http_fetch`, `get_url`) on async-http-client. The guest's worker
/// thread waits for the answer; the request itself runs on the client's event loops. Redirects
/// are followed here, each hop checked against the app's allow-list.
public final class OutboundHTTP: Sendable {
    /// The largest response body a guest receives.
    public let maxResponseBytes: Int
    /// The longest a request may take when the invocation's deadline is further away.
    public let timeout: Duration
    private let maxRedirects = 5
    /// One client for the process, never shut down (a client shut down from an event loop
    /// thread would deadlock). Redirects are followed by `follow`, which checks each hop; a
    /// connection that cannot be made fails at once rather than being retried until the
    /// deadline, so the guest hears FAILED while it still has time to act on it.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(maxResponseBytes: Int = 16 << 20, timeout: Duration = .seconds(30)) {
        self.maxResponseBytes = maxResponseBytes
        self.timeout = timeout
    }

    /// `method url` with `body`, following redirects that `allowed` accepts: DENIED for a URL it
    /// refuses, TOO_LARGE past the response limit, FAILED when the request fails or the
    /// deadline comes first. Blocks the calling thread, which must not be an event loop.
    func fetch(method: String, url: URL, body: [UInt8], deadline: ContinuousClock.Instant,
               allowed: @escaping @Sendable (URL) -> Bool) -> HostResult<HTTPReply> {
        guard allowed(url) else { return .failure(.denied) }
        let timeLeft = min(timeout, deadline - .now)
        guard timeLeft > .zero else { return .failure(.failed) }
        return ThreadWait.run { [self] in await follow(method: method, url: url, body: body, timeLeft: timeLeft, allowed: allowed) }
    }

    private func follow(method: String, url: URL, body: [UInt8], timeLeft: Duration,
                        allowed: @Sendable (URL) -> Bool) async -> HostResult<HTTPReply> {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeLeft.components.seconds) * 1_000_000_000 + timeLeft.components.attoseconds / 1_000_000_000)
        var (method, url, body) = (method, url, body)
        for _ in 0...maxRedirects {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = HTTPMethod(rawValue: method)
            if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
            do {
                let response = try await Self.client.execute(request, deadline: deadline)
                if [301, 302, 303, 307, 308].contains(response.status.code),
                   let location = response.headers.first(name: "Location"),
                   let next = URL(string: location, relativeTo: url)?.absoluteURL {
                    guard allowed(next) else { return .failure(.denied) }
                    // As browsers do: 303, and 301/302 after a POST, continue as a GET without body.
                    if response.status.code == 303 || (response.status.code < 307 && method == "POST") {
                        (method, body) = ("GET", [])
                    }
                    url = next
                    continue
                }
                let bytes: ByteBuffer
                do {
                    bytes = try await response.body.collect(upTo: maxResponseBytes)
                } catch is NIOTooManyBytesError {
                    return .failure(.tooLarge)
                }
                let headers = response.headers.map { Header($0.name, $0.value) }
                return .success(HTTPReply(status: Int(response.status.code), headers: headers, body: Array(buffer: bytes)))
            } catch {
                return .failure(.failed)
            }
        }
        return .failure(.failed)  // too many redirects
    }
}
