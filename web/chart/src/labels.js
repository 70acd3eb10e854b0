// Vietnamese names of the API's enums, and number formatting that does not
// depend on the browser's locale data.

export const kindLabels = {
  PROVINCE: 'Đảng bộ tỉnh',
  DISTRICT: 'Đảng bộ cấp huyện',
  GRASSROOTS_COMMITTEE: 'Đảng bộ cơ sở',
  GRASSROOTS_CELL: 'Chi bộ cơ sở',
  PARTIAL_COMMITTEE: 'Đảng bộ bộ phận',
  CELL: 'Chi bộ',
};

// OTHER says nothing worth a label.
export const sectorLabels = {
  COMMUNE: 'Xã',
  WARD: 'Phường',
  TOWNSHIP: 'Thị trấn',
  AGENCY: 'Cơ quan',
  PUBLIC_SERVICE: 'Đơn vị sự nghiệp',
  ENTERPRISE: 'Doanh nghiệp',
  SCHOOL: 'Trường học',
  HEALTH: 'Y tế',
  ARMED_FORCES: 'Lực lượng vũ trang',
  VILLAGE: 'Thôn, bản',
  RESIDENTIAL_GROUP: 'Tổ dân phố',
  BLOC: 'Khối',
};

/** 103912 → "103.912", as Vietnamese writes it. */
export function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

const htmlEscapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML, in element content and quoted attributes alike. */
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => htmlEscapes[c]);
}
