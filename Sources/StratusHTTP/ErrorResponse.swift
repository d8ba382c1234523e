import Foundation
import Hummingbird
import StratusModel

/// The JSON error body every failure answers with: `{"error": {"code": ..., "message": ...}}`.
enum ErrorResponse {
    static func make(_ error: StratusError, headers extra: HTTPFields = [:]) -> Response {
        let data = body(error)
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: .init(code: error.httpStatus), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func body(_ error: StratusError) -> Data {
        struct Body: Encodable {
            struct Detail: Encodable { let code: String; let message: String }
            let error: Detail
        }
        return (try? AdminJSON.encoder.encode(Body(error: .init(code: error.code, message: error.message)))) ?? Data()
    }

    /// Any error as a StratusError: a user-facing one as it is, anything else as an internal failure.
    static func stratusError(_ error: any Error) -> StratusError {
        if let error = error as? StratusError { return error }
        return StratusError(.internalFailure, code: "internal", "\(error)")
    }
}
