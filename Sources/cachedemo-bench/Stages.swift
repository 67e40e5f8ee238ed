import AWS
import Foundation

/// `cachedemo-bench stages`: where one signature's time goes, for tuning.
func measureStages(_ request: HTTPRequest, _ signer: SigV4, _ body: [UInt8], _ date: Date) {
    func time(_ name: String, _ n: Int = 50_000, _ f: () -> Int) {
        var sink = 0
        let s = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n { sink &+= f() }
        let us = Double(DispatchTime.now().uptimeNanoseconds - s) / Double(n) / 1000
        print("\(name): \(String(format: "%.3f", us)) µs (\(sink % 2))")
    }
    time("url path+query") { request.url.path(percentEncoded: true).utf8.count + (request.url.query(percentEncoded: true)?.utf8.count ?? 0) }
    time("host header") { SigV4.hostHeader(request.url).utf8.count }
    time("body sha256") { Crypto.sha256(body).count }
    let r = SigV4.Request(method: "POST", path: "/", query: "", headers: request.headers + [("Host", "x")])
    time("canonical request") { signer.canonicalRequest(r, payloadHash: SigV4.emptyHash).text.utf8.count }
    let cr = signer.canonicalRequest(r, payloadHash: SigV4.emptyHash).text
    time("string to sign") { signer.stringToSign(canonicalRequest: cr, timestamp: "20261127T093015Z").utf8.count }
    time("signature") { signer.signature(stringToSign: cr, date: "20261127").utf8.count }
    time("timestamp") { SigV4.timestamp(date).utf8.count }
    time("sign(Request)") { signer.sign(r, payload: .body(body), at: date).signature.utf8.count }
    time("sign(HTTPRequest)") { signer.sign(request, payload: .body(body), at: date).details.signature.utf8.count }
}
