// Tsunagari page behaviour shared by every screen. No inline scripts (CSP: script-src 'self').
"use strict";
