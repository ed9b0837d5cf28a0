-- /start updates from LOAD_USERS known users, for wrk against the webhook route. Each user stays
-- under the bot's per-user rate limit, and an answer without its menu counts as a failure.
local users = tonumber(os.getenv("LOAD_USERS") or "20000")
local counter = 0
without_menu = 0 -- global: the main Lua state reads it through thread:get
local headers = {
  ["content-type"] = "application/json",
  ["x-telegram-bot-api-secret-token"] = "bench-secret",
}

request = function()
  counter = counter + 1
  local user = 1000000 + (counter % users)
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":%d,' ..
      '"chat":{"id":%d,"type":"private","first_name":"Load"},' ..
      '"from":{"id":%d,"is_bot":false,"first_name":"Load","language_code":"en"},' ..
      '"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}',
    counter, counter, os.time(), user, user)
  return wrk.format("POST", "/telegram/webhook", headers, body)
end

response = function(status, headers, body)
  if not string.find(body, '"method":"sendMessage"', 1, true) then
    without_menu = without_menu + 1
  end
end

-- each wrk thread has its own Lua state: the main one reads their counts at the end
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

done = function()
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("without_menu") end
  io.write(string.format("Without menu: %d\n", total))
end
