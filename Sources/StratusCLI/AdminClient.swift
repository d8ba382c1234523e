import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Where client commands find the server and how they authenticate.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The server's URL (STRATUS_SERVER; default http://127.0.0.1:8080).") var server: String?
    @Option(name: .long, help: "The admin token (STRATUS_TOKEN; else ./stratus-data/admin-token if it exists).") var token: String?
    @Option(name: .long, help: "A PEM certificate to trust for an https:// server (STRATUS_CA_CERT; else ./stratus-data/tls/cert.pem if it exists).") var cacert: String?

    func client(environment: [String: String] = ProcessInfo.processInfo.environment) -> AdminClient {
        let server = server ?? environment["STRATUS_SERVER"] ?? "http://127.0.0.1:8080"
        let token = token ?? environment["STRATUS_TOKEN"]
            ?? (try? String(contentsOfFile: "./stratus-data/admin-token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        // A server started with --tls in this folder made its own certificate: trust it, as the token.
        let local = "./stratus-data/tls/cert.pem"
        let trusted = cacert ?? environment["STRATUS_CA_CERT"] ?? (FileManager.default.fileExists(atPath: local) ? local : nil)
        return AdminClient(server: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token,
                           trustedCertificate: server.hasPrefix("https://") ? trusted : nil)
    }
}

/// Talks to the admin API; turns its JSON errors into one-line `CLIError`s.
struct AdminClient: Sendable {
    /// Clients by the certificate they trust (nil: the system's authorities), kept for the
    /// process: a client must be shut down before it goes away, and a command is short.
    private static let clients = Mutex<[String?: HTTPClient]>([:])

    /// Fails at once when nothing listens, instead of retrying the connection until the deadline.
    static func http(trusting certificate: String?) throws -> HTTPClient {
        try clients.withLock { clients in
            if let client = clients[certificate] { return client }
            var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10)))
            configuration.connectionPool.retryConnectionEstablishment = false
            if let certificate {
                do {
                    var tls = TLSConfiguration.makeClientConfiguration()
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
                    configuration.tlsConfiguration = tls
                } catch {
                    throw CLIError("cannot read the certificate \(certificate) to trust (\(error)); give a PEM file with --cacert or STRATUS_CA_CERT")
                }
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[certificate] = client
            return client
        }
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    let server: String
    let token: String?
    /// A PEM certificate to trust instead of the system's authorities, for an https:// server.
    var trustedCertificate: String? = nil

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> Reply {
        var request = makeRequest(method, path)
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await Self.http(trusting: trustedCertificate).execute(request, timeout: .minutes(10))
            let bytes = try await response.body.collect(upTo: 1 << 30)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
        } catch let error as CLIError {
            throw error
        } catch {
            throw unreachable(error)
        }
    }

    func makeRequest(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    func unreachable(_ error: any Error) -> CLIError {
        let reason = "\(error)".contains("refused") ? "connection refused" : "\(error)"
        return CLIError("cannot reach the server at \(server) (\(reason)). Is `stratus serve` running? Set --server or STRATUS_SERVER.")
    }

    /// Sends and requires a 2xx answer; an error answer becomes its message.
    func expectSuccess(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> Reply {
        let reply = try await send(method, path, body: body)
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply) }
        return reply
    }

    static func error(from reply: Reply) -> CLIError {
        struct Body: Decodable {
            struct Detail: Decodable { let code: String; let message: String }
            let error: Detail
        }
        if let body = try? JSONDecoder().decode(Body.self, from: Data(reply.body)) {
            return CLIError("\(body.error.message) [\(body.error.code), HTTP \(reply.status)]")
        }
        return CLIError("the server answered HTTP \(reply.status): \(String(decoding: reply.body.prefix(500), as: UTF8.self))")
    }
}
