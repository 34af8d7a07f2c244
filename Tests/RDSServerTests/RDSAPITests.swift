import ClusterControl
import PageStore
import RDSServer
import Testing

/// The Query API's wire format, without HTTP: bodies in, status and XML out.
@Suite struct RDSAPITests {
    let api = RDSAPI(control: ClusterControl(clock: ManualClock()))

    @Test func emptyListsAreEmptyElementsAndResultsAreWrapped() {
        let response = api.handle(form: "Action=DescribeDBClusters&Version=2014-10-31")
        #expect(response.status == 200)
        #expect(response.body.contains("<DescribeDBClustersResult>"))
        #expect(response.body.contains("<DBClusters/>"))
        #expect(response.body.contains("<RequestId>"))
    }

    @Test func errorsUseTheModelsCodesAndStatuses() {
        let cases: [(String, String, Int)] = [
            ("Action=Nope&Version=2014-10-31", "InvalidAction", 400),
            ("Version=2014-10-31", "MissingParameter", 400),
            ("Action=DescribeDBClusters&DBClusterIdentifier=x%ZZ", "MalformedQueryString", 400),
            ("Action=DescribeDBClusters&DBClusterIdentifier=nope", "DBClusterNotFoundFault", 404),
            ("Action=DescribeDBClusters&MaxRecords=5", "InvalidParameterValue", 400),
            ("Action=BacktrackDBCluster&DBClusterIdentifier=x&BacktrackTo=yesterday", "InvalidParameterValue", 400),
            ("Action=CreateDBCluster&Engine=aurora", "MissingParameter", 400),
        ]
        for (form, code, status) in cases {
            let response = api.handle(form: form)
            #expect(response.status == status, "\(form)")
            #expect(response.body.contains("<Code>\(code)</Code>"), "\(form): \(response.body)")
            #expect(response.body.contains("<Type>Sender</Type>"))
        }
    }

    @Test func textIsEscapedAndFormDecoded() {
        let response = api.handle(form: "Action=DescribeDBClusters&DBClusterIdentifier=%3Cb%3E%26+x")
        #expect(response.status == 404)
        #expect(response.body.contains("DBCluster &lt;b&gt;&amp; x not found."))
    }

    @Test func theWorkshopsCloneAnswerCarriesWhatTheCLINeeds() throws {
        let control = api.control
        try control.createCluster(NewCluster(identifier: "labstack-cluster", engine: "aurora", backtrackWindow: 86_400))
        try control.createInstance(NewInstance(identifier: "labstack-node-01", cluster: "labstack-cluster"))
        let response = api.handle(
            form: "Action=RestoreDBClusterToPointInTime&Version=2014-10-31&DBClusterIdentifier=labstack-cluster-clone"
                + "&RestoreType=copy-on-write&SourceDBClusterIdentifier=labstack-cluster&UseLatestRestorableTime=true"
                + "&BacktrackWindow=86400")
        #expect(response.status == 200)
        for member in [
            "<RestoreDBClusterToPointInTimeResult>", "<DBClusterMembers/>", "<CloneGroupId>",
            "<BacktrackWindow>86400</BacktrackWindow>", "<Engine>aurora</Engine>",
        ] {
            #expect(response.body.contains(member), "\(member)")
        }
    }
}
