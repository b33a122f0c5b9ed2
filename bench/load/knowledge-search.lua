-- wrk script: POST /api/knowledge/search with the evaluation set's user questions in turn.
-- MODE=cached repeats one question (served from the RAG cache after the first request);
-- MODE=uncached adds a counter word no passage contains, so every request misses the cache and
-- runs the whole retrieval while the results stay those of the question.
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do
  local q = line:match("^[^\t]*\t[^\t]*\t[^\t]*\t(.*)$")
  if q then queries[#queries + 1] = q:gsub('\\', ''):gsub('"', '') end
end
local mode = os.getenv("MODE") or "uncached"
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  n = n + 1
  local q = queries[(n % #queries) + 1]
  if mode == "cached" then q = queries[1] else q = q .. " zq" .. n .. "x" .. math.random(1e9) end
  return wrk.format(nil, "/api/knowledge/search", nil, '{"query":"' .. q .. '"}')
end
