import ClusterControl
import PageStore

/// The RDS Query API (version 2014-10-31) over a control plane, independent of the HTTP server: a form body
/// in, a status and an XML body out. Every failure is an `ErrorResponse` with the model's code and status.
public struct RDSAPI: Sendable {
    public let control: ClusterControl
    public init(control: ClusterControl) { self.control = control }

    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// Handles one request body. `region` comes from the signature's credential scope when there is one.
    public func handle(form: String, region: String? = nil, tooLarge: Bool = false) -> Response {
        let shapes = Shapes(region: region ?? control.settings.region)
        var random = SystemRandomNumberGenerator()
        let requestID = UUIDv4.string(using: &random)
        guard !tooLarge else {
            return error(
                RDSError(.invalidParameterValue, "The request body is larger than \(RDSServer.bodyBytesMax) bytes."),
                requestID)
        }
        guard let parameters = QueryParameters(form: form) else {
            return error(RDSError(.malformedQueryString, "The request body is not valid form encoding."), requestID)
        }
        guard let action = parameters.action else {
            return error(RDSError(.missingParameter, "The request must contain the parameter Action"), requestID)
        }
        guard let operation = Self.operations[action] else {
            return error(RDSError(.invalidAction, "The action \(action) is not valid for this web service."), requestID)
        }
        if let version = parameters.version, version != "2014-10-31" {
            return error(
                RDSError(.invalidParameterValue, "Unsupported API version \(version); use 2014-10-31."), requestID)
        }
        var xml = XMLWriter()
        do {
            let context = Context(control: control, parameters: parameters, shapes: shapes)
            xml.open("\(action)Result")
            try operation(context, &xml)
            xml.close("\(action)Result")
        } catch {
            return self.error(error, requestID)
        }
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(action)Response xmlns=\"\(Self.namespace)\">\n"
            + xml.text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            + "\n  <ResponseMetadata>\n    <RequestId>\(requestID)</RequestId>\n  </ResponseMetadata>\n"
            + "</\(action)Response>\n"
        return Response(status: 200, body: body)
    }

    static let namespace = "http://rds.amazonaws.com/doc/2014-10-31/"

    private func error(_ error: RDSError, _ requestID: String) -> Response {
        let type = error.httpStatus >= 500 ? "Receiver" : "Sender"
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"\(Self.namespace)\">\n  <Error>\n"
            + "    <Type>\(type)</Type>\n    <Code>\(error.code.rawValue)</Code>\n"
            + "    <Message>\(XMLWriter.escape(error.message))</Message>\n  </Error>\n"
            + "  <RequestId>\(requestID)</RequestId>\n</ErrorResponse>\n"
        return Response(status: error.httpStatus, body: body)
    }

    struct Context {
        let control: ClusterControl
        let parameters: QueryParameters
        let shapes: Shapes
    }

    typealias Operation = @Sendable (Context, inout XMLWriter) throws(RDSError) -> Void

    static let operations: [String: Operation] = [
        "CreateDBCluster": Operations.createCluster,
        "DescribeDBClusters": Operations.describeClusters,
        "ModifyDBCluster": Operations.modifyCluster,
        "DeleteDBCluster": Operations.deleteCluster,
        "CreateDBInstance": Operations.createInstance,
        "DescribeDBInstances": Operations.describeInstances,
        "DeleteDBInstance": Operations.deleteInstance,
        "BacktrackDBCluster": Operations.backtrack,
        "DescribeDBClusterBacktracks": Operations.describeBacktracks,
        "RestoreDBClusterToPointInTime": Operations.restoreToPointInTime,
        "CreateDBClusterSnapshot": Operations.createSnapshot,
        "DescribeDBClusterSnapshots": Operations.describeSnapshots,
        "RestoreDBClusterFromSnapshot": Operations.restoreFromSnapshot,
        "DescribeEvents": Operations.describeEvents,
    ]
}
