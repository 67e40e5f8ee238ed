import AWS
import Foundation

// Signing throughput, in-process: a 1 KiB POST with 6 headers, signed again and again.
// Used by scripts/bench; prints one JSON line.

let body = [UInt8]((0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7) })
let request = HTTPRequest(
    method: "POST", url: URL(string: "https://cloudformation.eu-west-1.amazonaws.com/")!,
    headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("X-Amz-Target", "bench"),
              ("Accept", "application/xml"), ("X-Amz-Meta-One", "  a   b  "), ("X-Custom", "value"),
              ("Content-Length", "1024")])
let signer = SigV4(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                   region: "eu-west-1", service: "cloudformation")
let date = Date(timeIntervalSince1970: 1_795_771_815)
if CommandLine.arguments.dropFirst().first == "stages" {
    measureStages(request, signer, body, date)
    exit(0)
}
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "") ?? 3

var n = 0
var sink = 0
let start = DispatchTime.now().uptimeNanoseconds
let deadline = start + UInt64(seconds * 1e9)
while DispatchTime.now().uptimeNanoseconds < deadline {
    for _ in 0..<200 {
        sink &+= signer.sign(request, payload: .body(body), at: date).request.headers.count
    }
    n += 200
}
let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("{\"signatures\": \(n), \"seconds\": \(elapsed), \"perSecond\": \(Double(n) / elapsed), \"microseconds\": \(elapsed / Double(n) * 1e6), \"check\": \(sink % 7)}")
