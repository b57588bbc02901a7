-- The framework's own cost of a POST like a card event's (the same headers and a body of the same
-- size), against footfall-bench's reference server: its `POST /hook/:endpoint` route collects the
-- body and answers 204 without an async handler. Run by hand beside a card run (see
-- BENCHMARKS.md, "Session 27"):
--   footfall-bench plaintext --port 18095 &
--   wrk -t32 -c32 -d6s -s Benchmarks/wrk/framework-post.lua http://127.0.0.1:18095
-- FOOTFALL_POST_PATH picks another path for the same POST: /hook-async/a goes through Swift
-- concurrency (an AsyncMiddleware, an async handler, an actor on its own thread answering through
-- a continuation: a device event's path before session 28), /hook-loop/a stays on the event loop
-- and hands over to a thread of its own through a locked queue (a device event's path since).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
wrk.body = '{"eventId":"r1-000123","type":"card","value":"04A1B2C3D4E5F6"}'
local path = os.getenv("FOOTFALL_POST_PATH")
wrk.path = (path and path ~= "") and path or "/hook/a"
