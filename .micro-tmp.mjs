import canonicalize from 'canonicalize';
const body = {event:'dispensed',prescriptionId:'rx-1234567800012345',patientRef:'ab'.repeat(32),prescriberId:'prescriber-012345',pharmacyId:'pharmacy-01234',productCode:'ndc-01234-123-01',dosage:'1 tablet twice daily',quantity:30,refillsRemaining:2,daysSupply:30,issuedOn:1735689600000};
const entry = {v:1,index:500000,prev:'A'.repeat(43)+'=',time:Date.now(),type:'bench.payload',body};
const weird = {...entry, body:{...body,'é':'ü\u2028"\\', '10':1, '9':2, nested:[1,{b:2,a:[null,true,{z:1,y:{}}]}], '\u{1F600}':'x', '\uFF61':'y'}};
function serialize(v){ if (v===null||typeof v!=='object') return JSON.stringify(v); if (Array.isArray(v)){let s='[';for(let i=0;i<v.length;i++){if(i)s+=',';s+=serialize(v[i]);}return s+']';} const keys=Object.keys(v).sort(); let s='{'; for(let i=0;i<keys.length;i++){const k=keys[i]; if(i)s+=','; s+=JSON.stringify(k)+':'+serialize(v[k]);} return s+'}'; }
function collect(v, set){ if (v===null||typeof v!=='object') return; if (Array.isArray(v)) { for (const x of v) collect(x,set); return;} for (const k in v){ set.add(k); collect(v[k], set);} }
function viaReplacer(v){ const set=new Set(); collect(v,set); return JSON.stringify(v, [...set].sort()); }
for (const x of [entry, weird]) console.log(serialize(x)===canonicalize(x), viaReplacer(x)===canonicalize(x));
function t(name, n, f){ const s=process.hrtime.bigint(); for(let i=0;i<n;i++) f(); return Number(process.hrtime.bigint()-s)/1e3/n; }
const res={canonicalize:[],serialize:[],replacer:[]};
for (let r=0;r<7;r++){ res.canonicalize.push(t('c',30000,()=>canonicalize(entry))); res.serialize.push(t('s',30000,()=>serialize(entry))); res.replacer.push(t('r',30000,()=>viaReplacer(entry))); }
for (const [k,v] of Object.entries(res)) console.log(k.padEnd(14), 'min', Math.min(...v).toFixed(2), 'µs  all', v.map(x=>x.toFixed(1)).join(' '));
