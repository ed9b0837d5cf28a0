-- /start updates from 5,000 known users, for wrk against the webhook route
local counter = 0
local headers = {
  ["content-type"] = "application/json",
  ["x-telegram-bot-api-secret-token"] = "bench-secret",
}

request = function()
  counter = counter + 1
  local user = 1000000 + (counter % 5000)
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"date":%d,' ..
      '"chat":{"id":%d,"type":"private","first_name":"Load"},' ..
      '"from":{"id":%d,"is_bot":false,"first_name":"Load","language_code":"en"},' ..
      '"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}',
    counter, counter, os.time(), user, user)
  return wrk.format("POST", "/telegram/webhook", headers, body)
end
