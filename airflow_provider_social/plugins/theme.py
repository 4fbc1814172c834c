"""The look of the plugin's pages: Airflow 3's own colour tokens, light and dark, and the scripts every page shares.

Airflow 3.3.2's UI (Chakra UI v3 with next-themes) keeps the colour mode in ``localStorage["theme"]`` (``light``,
``dark`` or ``system``) and sets ``class="dark"``/``"light"`` on its ``<html>``; the pages follow it: the framing
Airflow page's class when shown in its frame (same origin), else the stored choice, else ``prefers-color-scheme``,
and again on every change. The palette is Airflow's (``brand`` and ``gray`` in the UI's theme, OKLCH values).
"""

from __future__ import annotations

STYLE = """
:root{color-scheme:light;--bg:#fff;--fg:oklch(0.18 0.03 251);--muted:oklch(0.45 0.055 251);
--border:oklch(0.915 0.01 253);--subtle:oklch(0.985 0.004 253);--field:oklch(0.955 0.006 253);
--accent:oklch(0.469 0.084 257.657);--accent-hover:oklch(0.399 0.084 257.850);--accent-fg:#fff;
--ok:oklch(0.527 0.154 150.069);--err:oklch(0.505 0.213 27.518);--warn:oklch(0.555 0.163 48.998);
--link:oklch(0.469 0.084 257.657)}
:root[data-theme=dark]{color-scheme:dark;--bg:oklch(0.11 0.025 251);--fg:oklch(0.955 0.006 253);
--muted:oklch(0.75 0.025 252);--border:oklch(0.28 0.035 251);--subtle:oklch(0.18 0.03 251);
--field:oklch(0.18 0.03 251);--accent:oklch(0.705 0.066 256.378);--accent-hover:oklch(0.865 0.039 252.420);
--accent-fg:oklch(0.179 0.05 265.487);--ok:oklch(0.792 0.209 151.711);--err:oklch(0.704 0.191 22.216);
--warn:oklch(0.837 0.128 66.29);--link:oklch(0.705 0.066 256.378)}
*{box-sizing:border-box}
body{margin:0;padding:1.25rem 1.5rem;background:var(--bg);color:var(--fg);font-size:14px;line-height:1.5;
font-family:Inter,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:1.5rem;font-weight:600;margin:.75rem 0 1rem}h2{font-size:1.1rem;font-weight:600;margin:1.5rem 0 .5rem}
a{color:var(--link)}nav{display:flex;gap:1rem;align-items:center;padding-bottom:.75rem;
border-bottom:1px solid var(--border)}nav a{text-decoration:none;font-weight:500}nav a:hover{text-decoration:underline}
nav .back{margin-right:auto;color:var(--muted)}
table{border-collapse:collapse;width:100%;border:1px solid var(--border);border-radius:6px}
th,td{border-bottom:1px solid var(--border);padding:.5rem .75rem;text-align:left;vertical-align:middle}
th{background:var(--subtle);font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;
letter-spacing:.03em}tr:last-child td{border-bottom:0}
.scroll{overflow-x:auto}.small{font-size:.85rem;color:var(--muted)}td form{margin:.35rem 0 0}
form.inline{display:inline;margin:0}
.warn{color:var(--warn);font-weight:600}.ok{color:var(--ok)}.err{color:var(--err)}
code{background:var(--field);padding:.1rem .3rem;border-radius:4px}
p[role=status]{padding:.6rem .9rem;border-radius:6px;border:1px solid currentColor;background:var(--subtle)}
button,.button{display:inline-flex;align-items:center;height:2rem;padding:0 .9rem;border-radius:6px;cursor:pointer;
font:inherit;font-weight:500;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);
text-decoration:none}button:hover,.button:hover{background:var(--accent-hover);border-color:var(--accent-hover)}
button.secondary{background:transparent;color:var(--fg);border-color:var(--border)}
button.secondary:hover{background:var(--subtle)}button:disabled{opacity:.45;cursor:not-allowed}
input[readonly]{height:2rem;padding:0 .6rem;border:1px solid var(--border);border-radius:6px;
background:var(--field);color:var(--fg);font:inherit;max-width:100%}
.field{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.code{font-size:1.75rem;height:3rem!important;letter-spacing:.2rem;font-family:ui-monospace,monospace}
.spent .code{text-decoration:line-through;opacity:.6}
.notice{padding:.75rem 1rem;border:1px solid var(--warn);border-radius:6px;margin:0 0 1rem}
[hidden]{display:none!important}
"""

# Runs first, in <head>: the colour mode before anything is painted, and whether the page is inside Airflow's
# frame (sandboxed without allow-top-navigation/allow-popups: target=_top and target=_blank are blocked there).
HEAD_SCRIPT = """<script>
(function(){const root=document.documentElement;
function mode(){try{if(window.top!==window.self){const c=window.top.document.documentElement.classList;
if(c.contains('dark'))return 'dark';if(c.contains('light'))return 'light';}}catch(e){}
let t=null;try{t=localStorage.getItem('theme');}catch(e){}
if(t==='light'||t==='dark')return t;return matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light';}
function apply(){root.dataset.theme=mode();}apply();window.addEventListener('storage',apply);
matchMedia('(prefers-color-scheme: dark)').addEventListener('change',apply);
try{if(window.top!==window.self)new MutationObserver(apply).observe(window.top.document.documentElement,
{attributes:true,attributeFilter:['class']});}catch(e){}
root.dataset.framed=String(window.top!==window.self);})();
function copyField(id){const f=document.getElementById(id);f.focus();f.select();
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(f.value)
.catch(()=>document.execCommand('copy'));}else{document.execCommand('copy');}}
function leaveFrame(url){if(window.top===window.self)return true;
try{const d=window.top.document,a=d.createElement('a');a.href=new URL(url,document.baseURI).href;
d.body.appendChild(a);a.click();a.remove();return false;}catch(e){return true;}}
</script>"""

# At the end of <body>: inside the frame, "Authorize" could not reach the consent page, so its buttons give way to
# a visible notice whose link opens this page as Airflow's own page (the link is an <a> of the framing document).
FRAME_SCRIPT = """<script>
if(window.top!==window.self){for(const n of document.querySelectorAll('[data-outside-frame]'))n.hidden=true;
for(const n of document.querySelectorAll('[data-inside-frame]'))n.hidden=false;}
</script>"""
