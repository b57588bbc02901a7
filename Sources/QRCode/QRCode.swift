/// A QR code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1 to 10
/// (up to 213 bytes): enough for member codes and links. Pure Swift, no dependencies.
public struct QRCode: Sendable {
    /// Modules per side: 17 + 4 × version.
    public let size: Int
    public let version: Int
    private var modules: [Bool]
    private var isFunction: [Bool]

    public enum EncodingError: Error, Equatable {
        /// More bytes than a version 10 code at level M holds.
        case tooLong(bytes: Int, maximum: Int)
    }

    /// Whether the module at column `x`, row `y` is dark.
    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    public init(text: String) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8))
    }

    public init(bytes: [UInt8]) throws(EncodingError) {
        guard let version = Self.blocks.indices.first(where: { Self.capacityBits(version: $0 + 1) >= Self.requiredBits(bytes.count, version: $0 + 1) })
        else { throw .tooLong(bytes: bytes.count, maximum: Self.maximumBytes) }
        self.version = version + 1
        size = 17 + 4 * self.version
        modules = Array(repeating: false, count: size * size)
        isFunction = modules
        drawFunctionPatterns()
        placeCodewords(interleavedCodewords(data: encodeData(bytes)))
        applyBestMask()
    }

    // MARK: Data

    private static let maximumBytes = 213

    private static func requiredBits(_ count: Int, version: Int) -> Int { 4 + (version < 10 ? 8 : 16) + 8 * count }

    private static func capacityBits(version: Int) -> Int { 8 * blocks[version - 1].dataPerBlock.reduce(0, +) }

    private func encodeData(_ bytes: [UInt8]) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
        }
        append(0b0100, 4) // byte mode
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = Self.capacityBits(version: version)
        append(0, min(4, capacity - bits.count)) // terminator
        append(0, (8 - bits.count % 8) % 8)
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < capacity / 8 {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Level M block structure per version: error-correction codewords per block, and the
    /// data codewords of each block (short blocks first).
    private static let blocks: [(ecPerBlock: Int, dataPerBlock: [Int])] = [
        (10, [16]), (16, [28]), (26, [44]), (18, [32, 32]), (24, [43, 43]),
        (16, [27, 27, 27, 27]), (18, [31, 31, 31, 31]), (22, [38, 38, 39, 39]),
        (22, [36, 36, 36, 37, 37]), (26, [43, 43, 43, 43, 44]),
    ]

    private func interleavedCodewords(data: [UInt8]) -> [UInt8] {
        let layout = Self.blocks[version - 1]
        let divisor = ReedSolomon.divisor(degree: layout.ecPerBlock)
        var offset = 0
        var dataBlocks: [[UInt8]] = []
        var ecBlocks: [[UInt8]] = []
        for length in layout.dataPerBlock {
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            ecBlocks.append(ReedSolomon.remainder(of: block, divisor: divisor))
        }
        var result: [UInt8] = []
        for index in 0..<(layout.dataPerBlock.max() ?? 0) {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<layout.ecPerBlock {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }

    // MARK: Function patterns

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool, function: Bool = true) {
        modules[y * size + x] = dark
        if function { isFunction[y * size + x] = true }
    }

    private static let alignmentCenters: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    private mutating func drawFunctionPatterns() {
        for index in 0..<size {
            set(6, index, index % 2 == 0)
            set(index, 6, index % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] { drawFinder(centerX: x, centerY: y) }
        let centers = Self.alignmentCenters[version - 1]
        for (i, x) in centers.enumerated() {
            for (j, y) in centers.enumerated() {
                let overlapsFinder = (i == 0 && j == 0) || (i == 0 && j == centers.count - 1) || (i == centers.count - 1 && j == 0)
                if !overlapsFinder { drawAlignment(centerX: x, centerY: y) }
            }
        }
        drawFormatBits(mask: 0) // reserves the modules; drawn again with the chosen mask
        drawVersion()
    }

    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let distance = max(abs(dx), abs(dy))
                set(x, y, distance != 2 && distance != 4)
            }
        }
    }

    private mutating func drawAlignment(centerX: Int, centerY: Int) {
        for dy in -2...2 {
            for dx in -2...2 { set(centerX + dx, centerY + dy, max(abs(dx), abs(dy)) != 1) }
        }
    }

    /// Level M's two format bits are 00; then the mask, then a BCH(15,5) code, masked with 0x5412.
    private mutating func drawFormatBits(mask: Int) {
        let data = mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { set(8, index, bit(index)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for index in 9..<15 { set(14 - index, 8, bit(index)) }
        for index in 0..<8 { set(size - 1 - index, 8, bit(index)) }
        for index in 8..<15 { set(8, size - 15 + index, bit(index)) }
        set(8, size - 8, true) // the dark module
    }

    private mutating func drawVersion() {
        guard version >= 7 else { return }
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for index in 0..<18 {
            let dark = (bits >> index) & 1 == 1
            let a = size - 11 + index % 3, b = index / 3
            set(a, b, dark)
            set(b, a, dark)
        }
    }

    // MARK: Codewords and masks

    private mutating func placeCodewords(_ codewords: [UInt8]) {
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for column in 0..<2 {
                    let x = right - column
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !isFunction[y * size + x], bitIndex < codewords.count * 8 else { continue }
                    set(x, y, (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 == 1, function: false)
                    bitIndex += 1
                }
            }
            right -= 2
        }
    }

    private static func maskApplies(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: x * y % 2 + x * y % 3 == 0
        case 6: (x * y % 2 + x * y % 3) % 2 == 0
        default: ((x + y) % 2 + x * y % 3) % 2 == 0
        }
    }

    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Self.maskApplies(mask, x: x, y: y) {
                modules[y * size + x].toggle()
            }
        }
    }

    /// Tries the eight masks and keeps the one with the lowest penalty, as the standard asks.
    private mutating func applyBestMask() {
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<8 {
            applyMask(mask)
            drawFormatBits(mask: mask)
            let score = penalty()
            if score < best.penalty { best = (mask, score) }
            applyMask(mask) // masks are their own inverse
        }
        applyMask(best.mask)
        drawFormatBits(mask: best.mask)
    }

    /// Runs of five or more, 2×2 blocks, finder-like patterns and imbalance of dark and light.
    private func penalty() -> Int {
        var result = 0
        for horizontal in [true, false] {
            for line in 0..<size {
                var run = 0
                var previous = false
                var sequence: [Bool] = []
                for position in 0..<size {
                    let dark = horizontal ? isDark(x: position, y: line) : isDark(x: line, y: position)
                    if position > 0, dark == previous { run += 1 } else {
                        if run >= 5 { result += run - 2 }
                        run = 1
                    }
                    previous = dark
                    sequence.append(dark)
                }
                if run >= 5 { result += run - 2 }
                result += 40 * Self.finderLikeCount(sequence)
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let dark = isDark(x: x, y: y)
                if dark == isDark(x: x + 1, y: y), dark == isDark(x: x, y: y + 1), dark == isDark(x: x + 1, y: y + 1) { result += 3 }
            }
        }
        let darkCount = modules.filter { $0 }.count
        let total = size * size
        result += 10 * ((abs(darkCount * 20 - total * 10) + total - 1) / total - 1)
        return result
    }

    /// 1:1:3:1:1 dark-light pattern with four light modules on one side.
    private static func finderLikeCount(_ line: [Bool]) -> Int {
        let pattern: [Bool] = [true, false, true, true, true, false, true]
        let light = [Bool](repeating: false, count: 4)
        var count = 0
        for start in 0..<max(0, line.count - 6) where Array(line[start..<start + 7]) == pattern {
            let before = start >= 4 ? Array(line[start - 4..<start]) == light : false
            let after = start + 11 <= line.count ? Array(line[start + 7..<start + 11]) == light : false
            if before || after { count += 1 }
        }
        return count
    }
}

extension QRCode {
    /// The code as an SVG image: one path of dark modules inside a four-module light border.
    public func svg(moduleSize: Int = 8) -> String {
        let border = 4
        let side = (size + 2 * border) * moduleSize
        var path = ""
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                path += "M\(x + border),\(y + border)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(side)" height="\(side)" viewBox="0 0 \(size + 2 * border) \(size + 2 * border)" \
            shape-rendering="crispEdges" role="img"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
