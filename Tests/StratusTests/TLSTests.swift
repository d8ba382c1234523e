import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import StratusCLI
import Testing
import X509

/// `stratus serve --tls`: the self-signed certificate made once in the data folder, a certificate
/// and key of one's own, and the errors for files that cannot serve.
@Suite(.serialized) struct TLSTests {
    @Test func tlsWithTheGeneratedCertificate() async throws {
        let dir = try TemporaryDirectory()
        let certificateFile = dir.file("tls/cert.pem"), keyFile = dir.file("tls/key.pem")
        let firstCertificate: [UInt8], firstKey: [UInt8]
        do {
            let server = try StratusProcess.Server(data: dir.path, extra: ["--tls"])
            defer { server.stop() }
            #expect(server.url.hasPrefix("https://"))
            let keyAttributes = try FileManager.default.attributesOfItem(atPath: keyFile)
            #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            firstCertificate = try Self.bytes(certificateFile)
            firstKey = try Self.bytes(keyFile)

            let certificate = try Certificate(pemEncoded: String(decoding: firstCertificate, as: UTF8.self))
            #expect(certificate.subject.description == "CN=Stratus")
            let names = try #require(try certificate.extensions.subjectAlternativeNames)
            #expect(names.contains(.dnsName("localhost")))
            #expect(names.contains(.ipAddress(.init(contentBytes: [127, 0, 0, 1]))))
            let days = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) / 86_400
            #expect(days > 364 && days < 366)

            // A client that trusts exactly that certificate gets through...
            let health = try await Self.get(server.url + "/_stratus/health", trusting: firstCertificate)
            #expect(health == 200)
            // ...one that trusts only the system's authorities does not, nor does plain HTTP.
            let untrusted = await #expect(throws: (any Error).self) { try await Self.get(server.url + "/_stratus/health", trusting: nil) }
            #expect(String(describing: untrusted).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: untrusted))")
            await #expect(throws: (any Error).self) {
                try await Self.get("http://127.0.0.1:\(server.port)/_stratus/health", trusting: nil)
            }

            // The log says where the certificate is and gives its fingerprint.
            let log = server.stopAndReadLog()
            let identity = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "127.0.0.1")
            #expect(identity.renewal == nil)
            #expect(log.contains(certificateFile))
            #expect(log.contains("SHA-256 fingerprint \(identity.fingerprint)"))
            #expect(log.contains("serving on https://127.0.0.1:\(server.port)"))
        }

        // A second start on the same folder serves the same certificate.
        let server = try StratusProcess.Server(data: dir.path, environment: ["STRATUS_TLS": "1"])
        defer { server.stop() }
        #expect(try Self.bytes(certificateFile) == firstCertificate)
        #expect(try Self.bytes(keyFile) == firstKey)
        #expect(try await Self.get(server.url + "/_stratus/health", trusting: firstCertificate) == 200)
        // The CLI trusts it with --cacert, or by itself from ./stratus-data/tls/cert.pem.
        let token = try String(contentsOfFile: dir.file("admin-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let apps = try StratusProcess.run(["apps", "--server", server.url, "--token", token, "--cacert", certificateFile])
        #expect(apps.status == 0, "\(apps.stderr)")
        let untrusted = try StratusProcess.run(["apps", "--server", server.url, "--token", token])
        #expect(untrusted.status != 0, "the system's authorities do not know a self-signed certificate")
        #expect(!server.stopAndReadLog().contains("made a self-signed TLS certificate"))
    }

    @Test func aCertificateAndKeyOfOnesOwnAreServed() async throws {
        let dir = try TemporaryDirectory()
        let (certificatePEM, keyPEM) = try TLSIdentity.makeSelfSigned()
        let certificateFile = dir.file("own-cert.pem"), keyFile = dir.file("own-key.pem")
        try certificatePEM.write(toFile: certificateFile, atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let data = dir.file("data")

        do {
            let server = try StratusProcess.Server(data: data, extra: ["--tls", "--cert", certificateFile, "--key", keyFile])
            defer { server.stop() }
            #expect(try await Self.get(server.url + "/_stratus/health", trusting: Array(certificatePEM.utf8)) == 200)
            // Nothing was generated: the given pair is the one served.
            #expect(!FileManager.default.fileExists(atPath: data + "/tls"))
            let other = try TLSIdentity.makeSelfSigned()
            let error = await #expect(throws: (any Error).self) {
                try await Self.get(server.url + "/_stratus/health", trusting: Array(other.certificatePEM.utf8))
            }
            #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
        }
        // The same from the environment.
        let server = try StratusProcess.Server(data: data, environment: [
            "STRATUS_TLS": "1", "STRATUS_TLS_CERT": certificateFile, "STRATUS_TLS_KEY": keyFile,
        ])
        defer { server.stop() }
        #expect(try await Self.get(server.url + "/_stratus/health", trusting: Array(certificatePEM.utf8)) == 200)
    }

    @Test func unusableCertificateOptionsFailWithOneClearLine() throws {
        let dir = try TemporaryDirectory()
        let mine = try TLSIdentity.makeSelfSigned(), theirs = try TLSIdentity.makeSelfSigned()
        let files = ["cert": mine.certificatePEM, "key": mine.keyPEM, "other-key": theirs.keyPEM,
                     "garbage": "this is no certificate\n", "encrypted": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"]
        for (name, text) in files { try text.write(toFile: dir.file(name), atomically: true, encoding: .utf8) }

        let cases: [([String], String)] = [
            (["--tls", "--cert", dir.file("cert")], "--cert and --key go together"),
            (["--tls", "--key", dir.file("key")], "--cert and --key go together"),
            (["--cert", dir.file("cert"), "--key", dir.file("key")], "add --tls"),
            (["--tls", "--cert", dir.file("missing"), "--key", dir.file("key")], "does not exist"),
            (["--tls", "--cert", dir.file("garbage"), "--key", dir.file("key")], "is not a PEM certificate"),
            (["--tls", "--cert", dir.file("cert"), "--key", dir.file("garbage")], "is not a PEM private key"),
            (["--tls", "--cert", dir.file("cert"), "--key", dir.file("encrypted")], "encrypted with a passphrase"),
            (["--tls", "--cert", dir.file("cert"), "--key", dir.file("other-key")], "does not belong to the certificate"),
        ]
        for (arguments, message) in cases {
            let result = try StratusProcess.run(
                ["serve", "--data", dir.file("data"), "--port", String(try StratusProcess.freePort())] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        // An unreadable file says so (root reads everything, so only where the test is not root).
        if getuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: dir.file("key"))
            let result = try StratusProcess.run(["serve", "--data", dir.file("data"), "--tls", "--cert", dir.file("cert"), "--key", dir.file("key")])
            #expect(result.stderr.contains("cannot read the key file"))
        }
    }

    @Test func theGeneratedCertificateIsRenewedNearItsEndAndForANewHost() throws {
        let dir = try TemporaryDirectory()
        let now = Date()
        let first = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "127.0.0.1", now: now)
        #expect(first.isGenerated)
        #expect(first.renewal != nil)
        #expect(first.names == ["localhost", "127.0.0.1"])
        let again = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "localhost", now: now)
        #expect(again.renewal == nil)
        #expect(again.fingerprint == first.fingerprint)

        // Within 7 days of its end, and after it, a new one replaces it.
        let late = now.addingTimeInterval(TLSIdentity.validity - 3 * 86_400)
        let renewed = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "127.0.0.1", now: late)
        #expect(renewed.renewal?.contains("within 7 days") == true)
        #expect(renewed.fingerprint != first.fingerprint)
        #expect(renewed.notValidAfter > late.addingTimeInterval(360 * 86_400))
        let expired = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "127.0.0.1",
                                              now: renewed.notValidAfter.addingTimeInterval(1))
        #expect(expired.renewal?.contains("expired") == true)

        // A host the certificate does not name gets one that does; wildcard addresses name nothing.
        let named = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "Stratus.Example",
                                            now: renewed.notValidAfter.addingTimeInterval(1))
        #expect(named.renewal?.contains("stratus.example") == true)
        #expect(named.names == ["localhost", "127.0.0.1", "stratus.example"])
        let wildcard = try TLSIdentity.resolve(certificateFile: nil, keyFile: nil, dataDirectory: dir.path, host: "0.0.0.0",
                                               now: renewed.notValidAfter.addingTimeInterval(1))
        #expect(wildcard.renewal == nil)
        let v6 = try TLSIdentity.makeSelfSigned(hosts: ["::1", "[::1]", "::"])
        let v6Names = try #require(try Certificate(pemEncoded: v6.certificatePEM).extensions.subjectAlternativeNames)
        #expect(v6Names.count == 3)
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: dir.file("tls/key.pem"))
        #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    /// The status of a GET by a client whose only trusted root is `certificatePEM` (`nil`: the
    /// system's authorities).
    @discardableResult
    private static func get(_ url: String, trusting certificatePEM: [UInt8]?) async throws -> Int {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certificatePEM { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(certificatePEM)) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // A refused handshake is the answer, not a reason to try again until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(configuration: configuration)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return Int(response.status.code)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
        return Array(data)
    }
}
