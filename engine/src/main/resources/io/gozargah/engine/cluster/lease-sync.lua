-- One node's sync of one grant (or consumer) with the cluster, atomically (io.gozargah.engine.cluster.LeaseSync).
--
-- KEYS[1]  the grant's day key: requests of the billing day leased out (spent or held by a node)
-- KEYS[2]  the grant's month key, likewise for the billing month
-- KEYS[3]  the demand hash: node id -> "requests per second:server time in ms" of its last report
-- (one hash tag for all three, so that a Redis Cluster keeps them in one slot)
--
-- ARGV[1]  node id              ARGV[2]  day quota (0: none)       ARGV[3]  month quota (0: none)
-- ARGV[4]  day key's expiry, epoch ms (after the day ends)        ARGV[5]  month key's expiry, epoch ms
-- ARGV[6]  unused lease given back to the day                      ARGV[7]  given back to the month
-- ARGV[8]  requests admitted without a lease (Redis was away), added to the day
-- ARGV[9]  likewise, to the month                                  ARGV[10] requests wanted as a new lease
-- ARGV[11] this node's demand, requests per second ('' publishes nothing)
-- ARGV[12] node timeout, ms: a report older than this drops out of the shares (and is deleted)
--
-- Returns {taken, day used, month used, total demand of live nodes (a string), live nodes}. The lease taken is
-- min(wanted, what the day and the month have left): never more than the quotas, whatever the nodes ask.
if redis.replicate_commands then
  redis.replicate_commands() -- Redis < 5: TIME before a write needs effects replication
end
local node = ARGV[1]
local dayQuota = tonumber(ARGV[2])
local monthQuota = tonumber(ARGV[3])

local function settle(key, quota, give, add, expireAt)
  if quota <= 0 then
    return 0
  end
  local used = tonumber(redis.call('GET', key) or '0')
  local settled = used - give + add
  if settled < 0 then
    settled = 0
  end
  if settled ~= used then
    redis.call('SET', key, settled)
    redis.call('PEXPIREAT', key, expireAt)
  end
  return settled
end

local dayUsed = settle(KEYS[1], dayQuota, tonumber(ARGV[6]), tonumber(ARGV[8]), ARGV[4])
local monthUsed = settle(KEYS[2], monthQuota, tonumber(ARGV[7]), tonumber(ARGV[9]), ARGV[5])

local taken = 0
local want = tonumber(ARGV[10])
if want > 0 and (dayQuota > 0 or monthQuota > 0) then
  local left = want
  if dayQuota > 0 then
    left = math.min(left, dayQuota - dayUsed)
  end
  if monthQuota > 0 then
    left = math.min(left, monthQuota - monthUsed)
  end
  if left > 0 then
    taken = left
    if dayQuota > 0 then
      dayUsed = dayUsed + taken
      redis.call('SET', KEYS[1], dayUsed)
      redis.call('PEXPIREAT', KEYS[1], ARGV[4])
    end
    if monthQuota > 0 then
      monthUsed = monthUsed + taken
      redis.call('SET', KEYS[2], monthUsed)
      redis.call('PEXPIREAT', KEYS[2], ARGV[5])
    end
  end
end

local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local timeout = tonumber(ARGV[12])
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[3], node, ARGV[11] .. ':' .. nowMs)
  redis.call('PEXPIRE', KEYS[3], timeout * 2)
end
local total = 0
local nodes = 0
local reports = redis.call('HGETALL', KEYS[3])
for i = 1, #reports, 2 do
  local report = reports[i + 1]
  local colon = string.find(report, ':', 1, true)
  local at = colon and tonumber(string.sub(report, colon + 1)) or 0
  if nowMs - at > timeout then
    redis.call('HDEL', KEYS[3], reports[i])
  else
    total = total + (tonumber(string.sub(report, 1, colon - 1)) or 0)
    nodes = nodes + 1
  end
end
return {taken, dayUsed, monthUsed, tostring(total), nodes}
