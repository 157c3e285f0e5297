// One job: a presigned S3 download link for the job's report. The original requires the whole
// aws-sdk v2 (every service's definition) for that one helper; the fix (FIX=1) requires only the
// S3 client, `aws-sdk/clients/s3`. No network: presigning is local.
'use strict';
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

function s3Client() {
  const S3 = process.env.FIX === '1' ? require('aws-sdk/clients/s3') : require('aws-sdk').S3;
  return new S3({ region: 'eu-west-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', signatureVersion: 'v4' });
}

function reportLink(job) {
  return s3Client().getSignedUrl('getObject', { Bucket: 'reports', Key: `job-${job}.pdf`, Expires: 600 });
}

const url = reportLink(Number(process.argv[2]));
if (!url.startsWith('https://')) throw new Error(`unexpected link ${url}`);
