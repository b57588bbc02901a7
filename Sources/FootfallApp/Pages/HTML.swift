/// A page or a part of one, built as values: text and attribute values are escaped when the
/// node is rendered, so nothing a customer, a device or an admin typed can become markup. The one
/// way to put markup in as it is, `Node.trusted`, is for markup this server made itself (the QR
/// code's SVG); each use says why.
///
/// Why not Plot (JohnSundell/Plot 0.14, in the mirror): it escapes text but writes attribute
/// values as they are (`value="` + value + `"`; its PR #104 is still open), so every attribute
/// would need an escape placed by hand — the very thing these pages are moving away from.
indirect enum Node: Sendable {
    case element(String, [HTMLAttribute], [Node])
    /// An element that has no content and no end tag (`input`, `meta`, `br`).
    case void(String, [HTMLAttribute])
    case text(String)
    case trusted(String)
    case group([Node])

    func render() -> String {
        var html = ""
        render(into: &html)
        return html
    }

    private func render(into html: inout String) {
        switch self {
        case .element(let name, let attributes, let children):
            html += "<" + name
            for attribute in attributes { attribute.render(into: &html) }
            html += ">"
            for child in children { child.render(into: &html) }
            html += "</" + name + ">"
        case .void(let name, let attributes):
            html += "<" + name
            for attribute in attributes { attribute.render(into: &html) }
            html += ">"
        case .text(let text):
            Self.escape(text, into: &html)
        case .trusted(let markup):
            html += markup
        case .group(let nodes):
            for node in nodes { node.render(into: &html) }
        }
    }

    /// Escapes for element content and quoted attribute values alike.
    static func escape(_ text: String, into html: inout String) {
        for character in text.unicodeScalars {
            switch character {
            case "&": html += "&amp;"
            case "<": html += "&lt;"
            case ">": html += "&gt;"
            case "\"": html += "&quot;"
            case "'": html += "&#39;"
            default: html.unicodeScalars.append(character)
            }
        }
    }
}

/// An attribute: a name written in this code, and a value escaped when rendered (nil: a boolean
/// attribute such as `required`, written by name alone).
struct HTMLAttribute: Sendable {
    let name: StaticString
    let value: String?

    init(_ name: StaticString, _ value: String?) {
        self.name = name
        self.value = value
    }

    fileprivate func render(into html: inout String) {
        html += " " + name.description
        if let value {
            html += "=\""
            Node.escape(value, into: &html)
            html += "\""
        }
    }

    static func `class`(_ value: String) -> HTMLAttribute { HTMLAttribute("class", value) }
    static func id(_ value: String) -> HTMLAttribute { HTMLAttribute("id", value) }
    static func href(_ value: String) -> HTMLAttribute { HTMLAttribute("href", value) }
    static func name(_ value: String) -> HTMLAttribute { HTMLAttribute("name", value) }
    static func value(_ value: String) -> HTMLAttribute { HTMLAttribute("value", value) }
    static func type(_ value: String) -> HTMLAttribute { HTMLAttribute("type", value) }
    static func `for`(_ value: String) -> HTMLAttribute { HTMLAttribute("for", value) }
    static func action(_ value: String) -> HTMLAttribute { HTMLAttribute("action", value) }
    static func method(_ value: String) -> HTMLAttribute { HTMLAttribute("method", value) }
    static func role(_ value: String) -> HTMLAttribute { HTMLAttribute("role", value) }
    static func placeholder(_ value: String) -> HTMLAttribute { HTMLAttribute("placeholder", value) }
    static func ariaLabel(_ value: String) -> HTMLAttribute { HTMLAttribute("aria-label", value) }
    static func autocomplete(_ value: String) -> HTMLAttribute { HTMLAttribute("autocomplete", value) }
    static func list(_ value: String) -> HTMLAttribute { HTMLAttribute("list", value) }
    static func inputmode(_ value: String) -> HTMLAttribute { HTMLAttribute("inputmode", value) }
    static func title(_ value: String) -> HTMLAttribute { HTMLAttribute("title", value) }
    /// A `data-…` attribute: its whole name from this code, the value escaped.
    static func data(_ name: StaticString, _ value: String) -> HTMLAttribute {
        precondition(name.description.hasPrefix("data-"), "\(name) is not a data- attribute")
        return HTMLAttribute(name, value)
    }
    static let required = HTMLAttribute("required", nil)
    static let autofocus = HTMLAttribute("autofocus", nil)
    static let hidden = HTMLAttribute("hidden", nil)
    /// Ticked or chosen when `on`; absent otherwise.
    static func checked(_ on: Bool) -> HTMLAttribute? { on ? HTMLAttribute("checked", nil) : nil }
    static func selected(_ on: Bool) -> HTMLAttribute? { on ? HTMLAttribute("selected", nil) : nil }
}

/// Builds a node list from statements: nodes, strings (as text), optionals, `if`, `for`.
@resultBuilder
enum NodeBuilder {
    static func buildExpression(_ node: Node) -> [Node] { [node] }
    static func buildExpression(_ nodes: [Node]) -> [Node] { nodes }
    static func buildExpression(_ text: String) -> [Node] { [.text(text)] }
    static func buildExpression(_ node: Node?) -> [Node] { node.map { [$0] } ?? [] }
    static func buildBlock(_ parts: [Node]...) -> [Node] { parts.flatMap { $0 } }
    static func buildOptional(_ nodes: [Node]?) -> [Node] { nodes ?? [] }
    static func buildEither(first nodes: [Node]) -> [Node] { nodes }
    static func buildEither(second nodes: [Node]) -> [Node] { nodes }
    static func buildArray(_ parts: [[Node]]) -> [Node] { parts.flatMap { $0 } }
}

/// The elements the pages use, as functions: `div(.class("card")) { h2 { name } }`.
/// Views adopt it to write them without a prefix.
protocol HTMLVocabulary {}

extension HTMLVocabulary {
    /// An element whose name is written in this code, never taken from data.
    static func element(_ name: StaticString, _ attributes: [HTMLAttribute?], @NodeBuilder _ content: () -> [Node]) -> Node {
        .element(name.description, attributes.compactMap { $0 }, content())
    }

    static func group(@NodeBuilder _ content: () -> [Node]) -> Node { .group(content()) }

    static func div(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("div", attributes, content) }
    static func span(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("span", attributes, content) }
    static func p(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("p", attributes, content) }
    static func a(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("a", attributes, content) }
    static func h1(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("h1", attributes, content) }
    static func h2(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("h2", attributes, content) }
    static func strong(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("strong", attributes, content) }
    static func code(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("code", attributes, content) }
    static func main(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("main", attributes, content) }
    static func header(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("header", attributes, content) }
    static func footer(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("footer", attributes, content) }
    static func nav(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("nav", attributes, content) }
    static func section(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("section", attributes, content) }
    static func details(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("details", attributes, content) }
    static func summary(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("summary", attributes, content) }
    static func form(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("form", attributes, content) }
    static func label(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("label", attributes, content) }
    static func button(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("button", attributes, content) }
    static func select(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("select", attributes, content) }
    static func option(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("option", attributes, content) }
    static func datalist(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("datalist", attributes, content) }
    /// A browser drops a text area's first line break, so one is written before the text.
    static func textarea(_ attributes: HTMLAttribute?..., text: String) -> Node { .element("textarea", attributes.compactMap { $0 }, [.text("\n" + text)]) }
    static func fieldset(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("fieldset", attributes, content) }
    static func legend(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("legend", attributes, content) }
    static func table(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("table", attributes, content) }
    static func dl(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("dl", attributes, content) }
    static func dt(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("dt", attributes, content) }
    static func dd(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("dd", attributes, content) }
    static func tr(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("tr", attributes, content) }
    static func th(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("th", attributes, content) }
    static func td(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("td", attributes, content) }
    static func input(_ attributes: HTMLAttribute?...) -> Node { .void("input", attributes.compactMap { $0 }) }
    static var br: Node { .void("br", []) }

    // SVG, drawn by the server for the reports' charts.
    static func svg(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("svg", attributes, content) }
    static func rect(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("rect", attributes, content) }
    static func line(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node] = { [] }) -> Node { element("line", attributes, content) }
    static func polyline(_ attributes: HTMLAttribute?...) -> Node { element("polyline", attributes) { [] } }
    static func svgText(_ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node { element("text", attributes, content) }
    static func svgTitle(_ text: String) -> Node { .element("title", [], [.text(text)]) }

    /// The hidden field that carries the form's CSRF token; every form that posts has one.
    static func csrfField(_ token: String) -> Node { input(.type("hidden"), .name("_csrf"), .value(token)) }

    /// A form that posts to `action`, with its CSRF field first.
    static func postForm(_ action: String, csrf: String, _ attributes: HTMLAttribute?..., @NodeBuilder content: () -> [Node]) -> Node {
        .element("form", [.method("post"), .action(action)] + attributes.compactMap { $0 }, [csrfField(csrf)] + content())
    }

    /// The frame of every page: no external resources, so it works offline; its styles and
    /// scripts are the server's own files (see `Assets`), so the Content-Security-Policy need not
    /// allow inline code.
    static func document(title: String, styles: [Asset], scripts: [Asset] = [], @NodeBuilder body: () -> [Node]) -> String {
        let html: Node = .element("html", [HTMLAttribute("lang", "en")], [
            .element("head", [], [
                .void("meta", [HTMLAttribute("charset", "utf-8")]),
                .void("meta", [.name("viewport"), HTMLAttribute("content", "width=device-width, initial-scale=1, viewport-fit=cover")]),
                .void("meta", [.name("robots"), HTMLAttribute("content", "noindex")]),
                .element("title", [], [.text(title)]),
            ] + styles.map { .void("link", [HTMLAttribute("rel", "stylesheet"), .href($0.url)]) }
              + scripts.map { .element("script", [HTMLAttribute("src", $0.url), HTMLAttribute("defer", nil)], []) }),
            .element("body", [], body()),
        ])
        return "<!doctype html>\n" + html.render()
    }
}
