"""A small in-browser GraphQL console served at GET /graphql in demo and development mode.

Self-contained (no script fetched from elsewhere) so it works on a machine with no network:
sign in, write a query with variables, run it, read the JSON; the schema's root fields are
listed from introspection. Any GraphQL IDE can also be pointed at POST /graphql.
"""

GRAPHIQL_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>Wellspring GraphQL 控制台 / console</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh}
header{background:#0b5394;color:#fff;padding:8px 12px;display:flex;gap:12px;align-items:center}
header input{width:110px}main{flex:1;display:grid;grid-template-columns:1fr 1fr 260px;min-height:0}
textarea,pre{font:13px/1.4 ui-monospace,monospace;margin:0;padding:8px;border:0;
border-right:1px solid #ccc;resize:none;overflow:auto}
#left{display:grid;grid-template-rows:3fr 1fr;min-height:0}#vars{border-top:1px solid #ccc}
#out{background:#f7f7f7}aside{overflow:auto;padding:8px;font-size:12px}
button{cursor:pointer}#who{margin-left:auto}
</style></head><body>
<header><b>Wellspring</b>
<input id="u" placeholder="username" value="hotline"><input id="p" type="password"
placeholder="password" value="demo"><button id="login">登录 Sign in</button>
<button id="run">▶ 运行 Run (Ctrl+Enter)</button>
<select id="lang"><option value="zh-CN">中文</option><option value="en">English</option></select>
<span id="who">未登录 / signed out</span></header>
<main><div id="left"><textarea id="q" spellcheck="false">query Customers($search: String) {
  customers(search: $search, first: 10) {
    totalCount
    edges { node { id name phone tier branch { name } defaultAddress { fullText } } }
    pageInfo { hasNextPage endCursor }
  }
}</textarea><textarea id="vars" spellcheck="false">{"search": null}</textarea></div>
<pre id="out"></pre><aside id="docs"></aside></main>
<script>
const $=id=>document.getElementById(id);let token=sessionStorage.getItem('ws_token')||'';
async function gql(query,variables,operationName){
  const h={'Content-Type':'application/json','Accept-Language':$('lang').value};
  if(token)h.Authorization='Bearer '+token;
  const r=await fetch(location.pathname,{method:'POST',headers:h,
    body:JSON.stringify({query,variables,operationName})});return r.json();}
async function run(){let v={};try{v=JSON.parse($('vars').value||'{}')}catch(e){
  $('out').textContent='variables: '+e;return}
  $('out').textContent=JSON.stringify(await gql($('q').value,v),null,2);}
$('run').onclick=run;document.addEventListener('keydown',e=>{
  if((e.ctrlKey||e.metaKey)&&e.key==='Enter')run();});
$('login').onclick=async()=>{const r=await gql(
 'mutation Login($username:String!,$password:String!){login(username:$username,password:$password)'+
 '{token user{displayName role} errors{code message}}}',{username:$('u').value,password:$('p').value});
 const l=r.data&&r.data.login;if(l&&l.token){token=l.token;sessionStorage.setItem('ws_token',token);
 $('who').textContent=l.user.displayName+' ('+l.user.role+')';docs();}
 $('out').textContent=JSON.stringify(r,null,2);};
async function docs(){const r=await gql('{__schema{queryType{fields{name description}}'+
 'mutationType{fields{name description}}}}');if(!r.data)return;const s=r.data.__schema;
 const list=(t,f)=>'<h4>'+t+'</h4>'+f.map(x=>'<div><b>'+x.name+'</b> '+(x.description||'')
 .replace(/</g,'&lt;')+'</div>').join('');
 $('docs').innerHTML=list('Query',s.queryType.fields)+list('Mutation',s.mutationType.fields);}
docs();
</script></body></html>
"""
