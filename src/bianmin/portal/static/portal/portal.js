/* File pickers: show the chosen file's name next to the large "选择文件" button. */
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[data-picker]")) return;
  var label = input.parentNode.querySelector(".picker-name");
  if (!label) return;
  if (!label.dataset.empty) label.dataset.empty = label.textContent;
  var file = input.files && input.files[0];
  label.textContent = file ? file.name : label.dataset.empty;
  label.classList.toggle("chosen", !!file);
});
