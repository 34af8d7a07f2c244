import ClusterControl
import Hummingbird
import NIOCore

/// The RDS endpoint over HTTP: `POST /` with a form body, as the `aws` CLI and boto3 send it. Signatures are
/// not checked; the region is read from the credential scope. `/_backtrack/clock` (GET or POST) is the
/// simulator's own admin request, clearly outside the AWS API, for tests that drive the clock.
public struct RDSServer: Sendable {
    public static let bodyBytesMax = 1 << 20

    let api: RDSAPI
    let clock: AdminClock?

    /// `clock` is the control plane's clock when it can be driven (see `AdminClock`); nil refuses clock requests.
    public init(control: ClusterControl, clock: AdminClock? = nil) {
        api = RDSAPI(control: control)
        self.clock = clock
    }

    /// The Hummingbird application serving the API on `host:port` (port 0 picks a free one). `onRunning` gets
    /// the port bound.
    public func application(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        let api = api
        let clock = clock
        router.post("/") { request, _ -> Response in
            let region = Self.region(fromAuthorization: request.headers[.authorization])
            guard let body = try? await request.body.collect(upTo: Self.bodyBytesMax) else {
                return Self.xml(api.handle(form: "", region: region, tooLarge: true))
            }
            return Self.xml(api.handle(form: String(buffer: body), region: region))
        }
        let refusal = "the clock cannot be driven: start serve with --clock manual or --clock offset"
        router.get("/_backtrack/clock") { _, _ -> Response in
            guard let clock else { return Self.text(400, refusal) }
            return Self.text(200, clock.now().description)
        }
        router.post("/_backtrack/clock") { request, _ -> Response in
            guard let clock else { return Self.text(400, refusal) }
            let body = (try? await request.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            switch clock.apply(form: body) {
            case .success(let now): return Self.text(200, now.description)
            case .failure(let refusal): return Self.text(400, refusal.description)
            }
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Backtrack"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) })
    }

    static func xml(_ response: RDSAPI.Response) -> Response {
        Response(
            status: HTTPResponse.Status(code: response.status), headers: [.contentType: "text/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: response.body)))
    }

    static func text(_ status: Int, _ text: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// `AWS4-HMAC-SHA256 Credential=KEY/20261121/us-east-1/rds/aws4_request, ...` → `us-east-1`.
    static func region(fromAuthorization header: String?) -> String? {
        guard let header, let start = header.range(of: "Credential=") else { return nil }
        let scope = header[start.upperBound...].prefix { $0 != "," && $0 != " " }.split(separator: "/")
        return scope.count >= 3 ? String(scope[2]) : nil
    }
}
