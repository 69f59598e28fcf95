-- wrk script: POSTs a problem description per request to ai-create, so the
-- offline analyzer, the duplicate search and the knowledge base search run
-- on every request. Texts vary by a counter so no two are the same.

local reports = {
  "Since this morning the VPN drops every five minutes for the whole sales team. "
    .. "The client shows 'Error 809' and Teams calls are cut off. Windows 11, GlobalProtect 6.1.",
  "I was charged twice for my subscription this month (invoice INV-%d). Please refund one "
    .. "of the two payments to my card.",
  "## Describe the bug\nThe export button does nothing on the reports page.\n\n"
    .. "## Steps to reproduce\n1. Open Reports\n2. Choose CSV\n3. Click Export\n\n"
    .. "## Expected\nA file downloads.\n\n## Actual\nNothing happens; the console shows "
    .. "TypeError: cannot read properties of undefined (reading 'rows') at export.js:%d",
  "Would it be possible to add a dark mode to the dashboard? Our night shift would love it. "
    .. "Request number %d.",
}

local next_thread = 1
function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

local sent = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  sent = sent + 1
  local text = string.format(reports[sent % #reports + 1], (thread_id or 0) * 1000000 + sent)
  text = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", "\\n")
  return wrk.format(nil, nil, nil, '{"user_input":"' .. text .. '"}')
end
