/// Escapes text for HTML element content and attribute values.
func escapeHTML(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.append(character)
        }
    }
    return result
}

/// The page frame shared by the kiosk and member pages: no external resources, works offline.
func page(title: String, style: String, body: String, script: String = "") -> String {
    """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
    <meta name="robots" content="noindex">
    <title>\(escapeHTML(title))</title>
    <style>
    :root { color-scheme: light; --ink: #14213d; --muted: #5c677d; --accent: #0b7a75; --bad: #b42318; --paper: #f7f7f2; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    html, body { margin: 0; height: 100%; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
    \(style)
    </style>
    </head>
    <body>
    \(body)
    \(script.isEmpty ? "" : "<script>\n\(script)\n</script>")
    </body>
    </html>
    """
}
