/// An error a user can act on: a stable `code`, a message that says what was wrong and what to
/// do, and a kind that the HTTP layer maps to a status.
public struct StratusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What sort of failure this is; decides the HTTP status.
    public enum Kind: String, Sendable, Equatable {
        case badRequest, unauthorized, notFound, methodNotAllowed, conflict, tooLarge
        case guestFailure, timeout, unavailable, internalFailure
    }

    public let kind: Kind
    public let code: String
    public let message: String

    public init(_ kind: Kind, code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// The HTTP status this error answers with.
    public var httpStatus: Int {
        switch kind {
        case .badRequest: 400
        case .unauthorized: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .tooLarge: 413
        case .guestFailure, .internalFailure: 500
        case .unavailable: 503
        case .timeout: 504
        }
    }
}

extension StratusError {
    public static func appNotFound(_ name: String) -> StratusError {
        StratusError(.notFound, code: "app_not_found", "no app named `\(name)`; `stratus apps` lists the deployed apps")
    }

    public static func manifest(_ file: String, _ problem: String) -> StratusError {
        StratusError(.badRequest, code: "manifest_invalid", "\(file): \(problem)")
    }
}
