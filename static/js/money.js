// Beside each money input, the amount in 万元 as it is typed (300,000 → 合 30 万元), from the
// template the page rendered in the reader's language. The server reads the same separators
// (core.money.ungroup); this only helps the eye. Loaded once per page however many inputs.
(function () {
  "use strict";
  if (window.pingshenMoney) {
    return;
  }
  window.pingshenMoney = true;

  var grouped = /^([+-]?)(\d{1,3}(?:[,，\u00a0 ]\d{3})+)(\.\d*)?$/;
  var plain = /^[+-]?(\d+\.?\d*|\.\d+)$/;

  function amount(text) {
    text = text.trim();
    var match = grouped.exec(text);
    if (match) {
      text = match[1] + match[2].replace(/[,，\u00a0 ]/g, "") + (match[3] || "");
    }
    return plain.test(text) ? Number(text) : null;
  }

  function update(input) {
    var hint = input.parentNode.querySelector(".wan-hint");
    if (!hint) {
      return;
    }
    var yuan = amount(input.value);
    if (yuan === null) {
      hint.textContent = "";
      return;
    }
    var wan = (yuan / 10000).toFixed(4).replace(/\.?0+$/, "");
    hint.textContent = hint.dataset.template.replace("__WAN__", wan);
  }

  function start() {
    document.querySelectorAll(".money-input input").forEach(function (input) {
      input.addEventListener("input", function () {
        update(input);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
