import AWS
import ArgumentParser
import Foundation

struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the AWS account, caller ARN, region and credential source in use.",
        discussion: "Examples:\n  cachedemo whoami\n  cachedemo whoami --profile dev --output json"
    )

    @OptionGroup var aws: AWSOptions
    @OptionGroup var output: OutputOption

    func run() throws {
        try reportingFailures {
            let session = try aws.session()
            let identity = try runAWSOperation("sts:GetCallerIdentity") { try STS(client: session.client).getCallerIdentity() }
            switch output.format {
            case .json:
                printJSON(["account": identity.account, "arn": identity.arn, "userId": identity.userId,
                           "region": session.region, "regionSource": session.regionSource,
                           "credentialSource": session.credentialSource])
            case .text:
                say("""
                    account      \(identity.account)
                    caller       \(identity.arn)
                    region       \(session.region) (from \(session.regionSource))
                    credentials  \(session.credentialSource)
                    """)
            }
        }
    }
}
