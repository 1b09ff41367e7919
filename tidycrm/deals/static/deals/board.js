// Drag a deal card to another column: the card moves at once, the server records the move
// (htmx swaps in the saved card and both columns' new totals) or refuses it, and the card
// goes back. Dropping on a lost stage asks for the loss reason first.
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const status = document.getElementById("board-status");
  const dialog = document.getElementById("loss-dialog");
  let dragged = null;
  let origin = null;

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    origin = { list: card.parentElement, next: card.nextElementSibling };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    card.classList.add("dragging");
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest(".board-col");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach((el) => el !== column && el.classList.remove("drop-target"));
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest(".board-col");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const list = column.querySelector("ol.cards");
    if (list === origin.list) return;
    const card = dragged;
    const back = origin;
    list.prepend(card);
    if (column.dataset.kind === "lost" && dialog) {
      askLossReason((values) => (values ? send(card, column, back, values) : restore(card, back)));
    } else {
      send(card, column, back, {});
    }
  });

  function askLossReason(done) {
    const form = dialog.querySelector("form");
    form.reset();
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "confirm") return done(null);
        done({ loss_reason: form.loss_reason.value, loss_note: form.loss_note.value });
      },
      { once: true }
    );
    dialog.showModal();
  }

  function send(card, column, back, extra) {
    status.textContent = "Saving…";
    const values = Object.assign({ stage: column.dataset.stage, version: card.dataset.version }, extra);
    const onError = (event) => {
      restore(card, back);
      status.textContent = event.detail.xhr ? event.detail.xhr.responseText : "The move was not saved.";
    };
    card.addEventListener("htmx:responseError", onError, { once: true });
    card.addEventListener("htmx:sendError", onError, { once: true });
    htmx.ajax("POST", board.dataset.deals + card.dataset.deal + "/move/", { source: card, target: card, swap: "outerHTML", values: values })
      .then(() => {
        if (document.body.contains(card)) return;  // swapped: the move was saved
        status.textContent = "Moved.";
      });
  }

  function restore(card, back) {
    back.list.insertBefore(card, back.next && back.next.parentElement === back.list ? back.next : null);
  }
})();
