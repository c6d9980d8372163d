// Drives usaged serve with csclient, a third-party CloudStack API client from
// npm: it signs every request itself (signatureversion 3 with expires), finds
// the asynchronous commands through listApis and polls queryAsyncJobResult.
// Usage: node csclient_check.js BASE_URL API_KEY SECRET_KEY ACCOUNT_UUID OTHER_ACCOUNT_UUID
// Prints one JSON object with what the server answered; exits 1 on an error.
'use strict';

const CloudStackClient = require('csclient');

const [baseUrl, apiKey, secretKey, accountId, otherAccountId] = process.argv.slice(2);
const client = new CloudStackClient({
  baseUrl: baseUrl + '/client/api?',
  apiKey,
  secretKey,
  pollingTime: 100,
  pollingNumber: 300,
  singleExecutor: true,
});

function call(cmd, params) {
  return new Promise((resolve, reject) => {
    client.execute(cmd, params, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function fail(err) {
  console.log(JSON.stringify({ error: { code: err.code, message: err.message } }));
  process.exit(1);
}

client.on('error', fail);
client.on('ready', async () => {
  try {
    const types = await call('listUsageTypes', {});
    const records = await call('listUsageRecords', {
      startdate: '2026-01-01', enddate: '2026-01-02', accountid: accountId,
    });
    const regenerated = await call('regenerateUsageRecords', {
      startdate: '2026-01-01', enddate: '2026-01-02', accountid: accountId,
      reason: 'client check: re-parse after a fix',
    });
    let denied = null;
    try {
      await call('listUsageRecords', { startdate: '2026-01-01', enddate: '2026-01-02',
                                       accountid: otherAccountId });
    } catch (err) {
      denied = { code: err.code, message: err.message };
    }
    console.log(JSON.stringify({
      asyncCommands: Object.keys(client.__asyncCommands).filter((k) => client.__asyncCommands[k]),
      typeCount: types.listusagetypesresponse.count,
      recordCount: records.listusagerecordsresponse.count,
      recordAccounts: [...new Set(records.listusagerecordsresponse.usagerecord.map((r) => r.account))],
      regenerate: {
        jobstatus: regenerated.jobstatus,
        records: regenerated.jobresult.records,
        success: regenerated.jobresult.success,
      },
      denied,
    }));
  } catch (err) {
    fail(err);
  }
});
