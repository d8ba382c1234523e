import Crypto
import Foundation
import NIOSSL
import StratusModel
import X509

/// The certificate and private key `stratus serve --tls` presents: the PEM files given by `--cert`
/// and `--key`, else a self-signed pair in `DIR/tls`, made on first start and reused afterwards
/// (as my-own-cluster did on its port 8443), so a client told once to trust it keeps trusting it.
public struct TLSIdentity: Sendable {
    /// The PEM file of the certificate chain, leaf first.
    public let certificateFile: String
    /// The PEM file of the leaf's private key.
    public let keyFile: String
    /// Stratus made this pair (on this start or an earlier one) rather than being given it.
    public let isGenerated: Bool
    /// Why this start made a new pair (`nil`: the files were used as they were).
    public let renewal: String?
    /// SHA-256 of the leaf's DER bytes as `AB:CD:...`, the form browsers and `openssl x509 -fingerprint` show.
    public let fingerprint: String
    /// When the leaf stops being valid.
    public let notValidAfter: Date
    /// The names (DNS names and IP addresses) the leaf is valid for.
    public let names: [String]

    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    /// How long a generated certificate is valid.
    public static let validity: TimeInterval = 365 * 86_400
    /// A generated certificate this close to its end is replaced at start-up, so a server that
    /// restarts now and then never serves an expired one.
    public static let renewBefore: TimeInterval = 7 * 86_400

    /// The identity to serve: `certificateFile` and `keyFile` if given (both or neither), else the
    /// generated pair in `dataDirectory/tls`, made or renewed as needed for `host`.
    public static func resolve(certificateFile: String?, keyFile: String?, dataDirectory: String, host: String,
                               now: Date = Date()) throws -> TLSIdentity {
        switch (certificateFile, keyFile) {
        case let (certificate?, key?):
            return try load(certificateFile: certificate, keyFile: key, isGenerated: false, renewal: nil)
        case (nil, nil):
            return try generated(in: (dataDirectory as NSString).appendingPathComponent("tls"), host: host, now: now)
        case (.some, nil), (nil, .some):
            throw StratusError(.badRequest, code: "tls_options",
                               "--cert and --key go together: give both (STRATUS_TLS_CERT and STRATUS_TLS_KEY), or neither to use a self-signed certificate kept in the data folder")
        }
    }

    /// The NIO server configuration presenting this identity (TLS 1.2 and later, HTTP/1.1 by ALPN).
    public func serverConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    /// A new P-256 key and a self-signed certificate for CN=Stratus naming `localhost`,
    /// `127.0.0.1` and `hosts` (DNS names or IP addresses; wildcard addresses such as `0.0.0.0`
    /// are left out), valid from a minute before `now` (for clocks a little behind) for `validity`.
    public static func makeSelfSigned(hosts: [String] = [], now: Date = Date(),
                                      validity: TimeInterval = TLSIdentity.validity) throws -> (certificatePEM: String, keyPEM: String) {
        let privateKey = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(privateKey)
        let name = try DistinguishedName { CommonName("Stratus") }
        var alternativeNames: [GeneralName] = []
        for host in Self.certificateNames(for: hosts) {
            if let address = Self.ipAddressBytes(host) {
                alternativeNames.append(.ipAddress(.init(contentBytes: address[...])))
            } else {
                alternativeNames.append(.dnsName(host))
            }
        }
        // A leaf that is its own issuer: not a CA (browsers refuse CA certificates as server
        // certificates), and no key usage extension, which would have to allow certificate
        // signing for verifiers to accept the self-signature.
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            try ExtendedKeyUsage([.serverAuth])
            SubjectKeyIdentifier(hash: key.publicKey)
            SubjectAlternativeNames(alternativeNames)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(validity),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: key)
        return (try certificate.serializeAsPEM().pemString + "\n", privateKey.pemRepresentation + "\n")
    }

    // MARK: - The generated pair

    private static func generated(in folder: String, host: String, now: Date) throws -> TLSIdentity {
        let certificateFile = (folder as NSString).appendingPathComponent("cert.pem")
        let keyFile = (folder as NSString).appendingPathComponent("key.pem")
        let wanted = certificateNames(for: [host])
        let files = FileManager.default
        var renewal = "none was made yet"
        if files.fileExists(atPath: certificateFile) && files.fileExists(atPath: keyFile) {
            do {
                let existing = try load(certificateFile: certificateFile, keyFile: keyFile, isGenerated: true, renewal: nil)
                let missing = wanted.filter { !existing.names.contains($0) }
                if existing.notValidAfter.timeIntervalSince(now) <= renewBefore {
                    renewal = existing.notValidAfter <= now ? "the previous one expired" : "the previous one expires within 7 days"
                } else if !missing.isEmpty {
                    renewal = "the previous one does not name \(missing.joined(separator: ", "))"
                } else {
                    return existing
                }
            } catch let error as StratusError where error.code == "tls_key_mismatch" {
                // Only a start stopped between writing the two files leaves them unmatched.
                renewal = "the previous key and certificate did not match"
            }
        }
        let (certificatePEM, keyPEM) = try makeSelfSigned(hosts: [host], now: now)
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // The key first: a certificate is never on disk without the key it was made for.
            try writeAtomically(keyPEM, to: keyFile, mode: 0o600)
            try writeAtomically(certificatePEM, to: certificateFile, mode: 0o644)
        } catch {
            throw StratusError(.internalFailure, code: "tls_write",
                               "cannot write the generated certificate to \(folder) (\(error)); check the data folder's permissions, or give --cert and --key")
        }
        return try load(certificateFile: certificateFile, keyFile: keyFile, isGenerated: true, renewal: renewal)
    }

    /// Writes `text` to a temporary file created with `mode` (never readable by others, not even
    /// for a moment) and renames it over `path`, so a crash leaves the old file or the new one.
    private static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: temporary) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else {
                close(fd)
                throw POSIXFailure(call: "write", path: temporary)
            }
            written += count
        }
        guard fsync(fd) == 0, close(fd) == 0 else { throw POSIXFailure(call: "fsync", path: temporary) }
        guard rename(temporary, path) == 0 else { throw POSIXFailure(call: "rename", path: path) }
    }

    private struct POSIXFailure: Error, CustomStringConvertible {
        let description: String
        init(call: String, path: String) { description = "\(call) \(path): \(String(cString: strerror(errno)))" }
    }

    // MARK: - Loading and checking

    private static func load(certificateFile: String, keyFile: String, isGenerated: Bool, renewal: String?) throws -> TLSIdentity {
        let certificateBytes = try read(certificateFile, what: "certificate")
        let keyBytes = try read(keyFile, what: "key")

        let chain: [NIOSSLCertificate]
        let leaf: Certificate
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
            guard let first = chain.first else { throw MalformedPEM() }
            leaf = try Certificate(derEncoded: try first.toDERBytes())
        } catch {
            throw StratusError(.badRequest, code: "tls_certificate_invalid",
                               "\(certificateFile) is not a PEM certificate (a block from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, the leaf first); check the file given to --cert")
        }

        let keyText = String(decoding: keyBytes, as: UTF8.self)
        if keyText.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || keyText.contains("Proc-Type: 4,ENCRYPTED") {
            throw StratusError(.badRequest, code: "tls_key_invalid",
                               "\(keyFile) is encrypted with a passphrase, which Stratus cannot ask for; decrypt it (`openssl pkey -in KEY -out PLAIN`) and give that to --key")
        }
        let key: NIOSSLPrivateKey
        let publicKey: Certificate.PublicKey
        do {
            publicKey = try Certificate.PrivateKey(pemEncoded: keyText.trimmingCharacters(in: .whitespacesAndNewlines)).publicKey
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw StratusError(.badRequest, code: "tls_key_invalid",
                               "\(keyFile) is not a PEM private key (-----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY); check the file given to --key")
        }
        guard publicKey == leaf.publicKey else {
            throw StratusError(.badRequest, code: "tls_key_mismatch",
                               "the key in \(keyFile) does not belong to the certificate in \(certificateFile); give --key the key the certificate was issued for")
        }

        var names: [String] = []
        for name in (try? leaf.extensions.subjectAlternativeNames) ?? SubjectAlternativeNames() {
            switch name {
            case .dnsName(let dns): names.append(dns.lowercased())
            case .ipAddress(let address): names.append(ipAddressText(Array(address.bytes)))
            default: continue
            }
        }
        let digest = SHA256.hash(data: try chain[0].toDERBytes())
        return TLSIdentity(
            certificateFile: certificateFile, keyFile: keyFile, isGenerated: isGenerated, renewal: renewal,
            fingerprint: digest.map { String(format: "%02X", $0) }.joined(separator: ":"),
            notValidAfter: leaf.notValidAfter, names: names, chain: chain, key: key)
    }

    private struct MalformedPEM: Error {}

    private static func read(_ path: String, what: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StratusError(.badRequest, code: "tls_file_missing", "the \(what) file \(path) does not exist; check the path")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StratusError(.badRequest, code: "tls_file_unreadable",
                               "cannot read the \(what) file \(path); check its permissions (the server runs as this user)")
        }
        return Array(data)
    }

    // MARK: - Names

    /// The names a generated certificate carries for `hosts`: `localhost`, `127.0.0.1` and each
    /// host but wildcard addresses, which name no server; lowercased, in order, without repeats.
    static func certificateNames(for hosts: [String]) -> [String] {
        var names = ["localhost", "127.0.0.1"]
        for host in hosts {
            var name = host.lowercased()
            if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            if let bytes = ipAddressBytes(name) {
                if bytes.allSatisfy({ $0 == 0 }) { continue }
                name = ipAddressText(bytes)
            }
            if !name.isEmpty && !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address, `nil` for anything else (a DNS name).
    private static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func ipAddressText(_ bytes: [UInt8]) -> String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard bytes.count == 4 || bytes.count == 16 else { return bytes.map { String(format: "%02x", $0) }.joined() }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}
