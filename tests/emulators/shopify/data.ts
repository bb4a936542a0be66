// Static tables used to seed a realistic Brazil / Latin-America / English-speaking store.
// Every table is indexed by small integers so that the store can keep one byte or two per
// customer instead of whole strings (see store.ts).

export type Origin = "br" | "es" | "en";

export const FIRST_NAMES_BR = [
  "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos",
  "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo",
  "Sérgio", "Vinícius", "Fábio", "Otávio", "Cláudio", "Márcio", "Caio", "Thiago", "Gustavo", "Leandro",
  "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline",
  "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana", "Vanessa", "Mariana",
  "Luíza", "Conceição", "Lúcia", "Érica", "Ângela", "Flávia", "Beatriz", "Isabela", "Larissa", "Renata",
  "Débora", "Tânia", "Mônica", "Gisele", "Cecília", "Helena", "Inês", "Valéria", "Simone", "Natália",
];

export const LAST_NAMES_BR = [
  "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
  "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
  "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
  "Araújo", "Conceição", "Gonçalves", "Magalhães", "Simões", "Brandão", "Falcão", "Damião", "Assunção", "Romão",
  "Guimarães", "Peçanha", "Mendonça", "Galvão", "Leão", "Sampaio", "Calixto", "Brás", "Antunes", "Teixeira",
  "de Souza", "dos Santos", "da Silva", "de Oliveira", "da Costa",
];

export const FIRST_NAMES_ES = [
  "José Luis", "María José", "Sofía", "Martín", "Valentina", "Matías", "Lucía", "Agustín", "Catalina", "Tomás",
  "Camila", "Santiago", "Isabella", "Sebastián", "Florencia", "Joaquín", "Renata", "Nicolás", "Martina", "Andrés",
  "Ximena", "Ramón", "Inés", "Héctor", "Begoña", "Germán", "Maite", "Julián", "Ángel", "Pilar",
];

export const LAST_NAMES_ES = [
  "García", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez", "Ramírez", "Núñez", "Muñoz",
  "Ibáñez", "Fernández", "Díaz", "Álvarez", "Gómez", "Jiménez", "Rojas", "Morales", "Ortiz", "Vásquez",
  "Castañeda", "Peña", "Domínguez", "Suárez", "Quiñones",
];

export const FIRST_NAMES_EN = [
  "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
  "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Emily", "Olivia",
  "Liam", "Noah", "Emma", "Ava", "Chloe", "Zoë", "Renée", "Siobhán", "Seán", "Chloé",
];

export const LAST_NAMES_EN = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
  "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "O'Brien",
  "McDonald", "Walker", "Young", "King", "Wright",
];

// One flat table per kind so a Uint16 index identifies any name.
export const FIRST_NAMES: string[] = [...FIRST_NAMES_BR, ...FIRST_NAMES_ES, ...FIRST_NAMES_EN];
export const LAST_NAMES: string[] = [...LAST_NAMES_BR, ...LAST_NAMES_ES, ...LAST_NAMES_EN];

export const FIRST_RANGES: Record<Origin, [number, number]> = {
  br: [0, FIRST_NAMES_BR.length],
  es: [FIRST_NAMES_BR.length, FIRST_NAMES_BR.length + FIRST_NAMES_ES.length],
  en: [FIRST_NAMES_BR.length + FIRST_NAMES_ES.length, FIRST_NAMES.length],
};
export const LAST_RANGES: Record<Origin, [number, number]> = {
  br: [0, LAST_NAMES_BR.length],
  es: [LAST_NAMES_BR.length, LAST_NAMES_BR.length + LAST_NAMES_ES.length],
  en: [LAST_NAMES_BR.length + LAST_NAMES_ES.length, LAST_NAMES.length],
};

export const EMAIL_DOMAINS: Record<Origin, string[]> = {
  br: [
    "gmail.com", "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com", "outlook.com",
    "yahoo.com.br", "uol.com.br", "bol.com.br", "terra.com.br", "icloud.com", "live.com", "globo.com",
  ],
  es: ["gmail.com", "gmail.com", "gmail.com", "hotmail.com", "outlook.com", "yahoo.com.ar", "yahoo.es", "icloud.com"],
  en: ["gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "protonmail.com"],
};

// Brazilian area codes (DDD) weighted towards the large metro areas.
export const BR_DDD = ["11", "11", "11", "21", "21", "31", "41", "51", "61", "71", "81", "85", "19", "27", "47", "48", "62", "92"];
export const US_AREA = ["212", "305", "415", "512", "617", "646", "718", "773", "206", "303"];

export interface CityRow {
  city: string;
  province: string;
  provinceCode: string;
  country: string;
  countryCode: string;
  zipPrefix: string;
  streets: string[];
}

export const CITIES: Record<Origin, CityRow[]> = {
  br: [
    { city: "São Paulo", province: "São Paulo", provinceCode: "SP", country: "Brazil", countryCode: "BR", zipPrefix: "01", streets: ["Avenida Paulista", "Rua Augusta", "Rua da Consolação", "Alameda Santos"] },
    { city: "Rio de Janeiro", province: "Rio de Janeiro", provinceCode: "RJ", country: "Brazil", countryCode: "BR", zipPrefix: "22", streets: ["Rua Visconde de Pirajá", "Avenida Atlântica", "Rua Barata Ribeiro"] },
    { city: "Belo Horizonte", province: "Minas Gerais", provinceCode: "MG", country: "Brazil", countryCode: "BR", zipPrefix: "30", streets: ["Avenida Afonso Pena", "Rua da Bahia"] },
    { city: "Curitiba", province: "Paraná", provinceCode: "PR", country: "Brazil", countryCode: "BR", zipPrefix: "80", streets: ["Rua XV de Novembro", "Avenida Sete de Setembro"] },
    { city: "Porto Alegre", province: "Rio Grande do Sul", provinceCode: "RS", country: "Brazil", countryCode: "BR", zipPrefix: "90", streets: ["Rua dos Andradas", "Avenida Ipiranga"] },
    { city: "Salvador", province: "Bahia", provinceCode: "BA", country: "Brazil", countryCode: "BR", zipPrefix: "40", streets: ["Avenida Sete de Setembro", "Rua Chile"] },
    { city: "Recife", province: "Pernambuco", provinceCode: "PE", country: "Brazil", countryCode: "BR", zipPrefix: "50", streets: ["Avenida Boa Viagem", "Rua da Aurora"] },
    { city: "Fortaleza", province: "Ceará", provinceCode: "CE", country: "Brazil", countryCode: "BR", zipPrefix: "60", streets: ["Avenida Beira Mar", "Rua Barão do Rio Branco"] },
    { city: "Brasília", province: "Distrito Federal", provinceCode: "DF", country: "Brazil", countryCode: "BR", zipPrefix: "70", streets: ["SQS 308 Bloco C", "SHIS QI 9"] },
    { city: "Florianópolis", province: "Santa Catarina", provinceCode: "SC", country: "Brazil", countryCode: "BR", zipPrefix: "88", streets: ["Rua Felipe Schmidt", "Avenida Beira-Mar Norte"] },
    { city: "Goiânia", province: "Goiás", provinceCode: "GO", country: "Brazil", countryCode: "BR", zipPrefix: "74", streets: ["Avenida Goiás", "Rua 9"] },
    { city: "Campinas", province: "São Paulo", provinceCode: "SP", country: "Brazil", countryCode: "BR", zipPrefix: "13", streets: ["Rua Barão de Jaguara", "Avenida Norte-Sul"] },
  ],
  es: [
    { city: "Buenos Aires", province: "Ciudad Autónoma de Buenos Aires", provinceCode: "C", country: "Argentina", countryCode: "AR", zipPrefix: "C10", streets: ["Avenida Corrientes", "Calle Florida"] },
    { city: "Santiago", province: "Región Metropolitana", provinceCode: "RM", country: "Chile", countryCode: "CL", zipPrefix: "83", streets: ["Avenida Providencia", "Calle Huérfanos"] },
    { city: "Ciudad de México", province: "Ciudad de México", provinceCode: "CMX", country: "Mexico", countryCode: "MX", zipPrefix: "06", streets: ["Avenida Reforma", "Calle Madero"] },
    { city: "Bogotá", province: "Bogotá, D.C.", provinceCode: "DC", country: "Colombia", countryCode: "CO", zipPrefix: "11", streets: ["Carrera Séptima", "Calle 93"] },
    { city: "Montevideo", province: "Montevideo", provinceCode: "MO", country: "Uruguay", countryCode: "UY", zipPrefix: "11", streets: ["Avenida 18 de Julio", "Calle Sarandí"] },
  ],
  en: [
    { city: "New York", province: "New York", provinceCode: "NY", country: "United States", countryCode: "US", zipPrefix: "100", streets: ["Broadway", "5th Avenue", "Lexington Ave"] },
    { city: "Austin", province: "Texas", provinceCode: "TX", country: "United States", countryCode: "US", zipPrefix: "787", streets: ["Congress Ave", "South Lamar Blvd"] },
    { city: "Miami", province: "Florida", provinceCode: "FL", country: "United States", countryCode: "US", zipPrefix: "331", streets: ["Collins Ave", "Brickell Ave"] },
    { city: "Toronto", province: "Ontario", provinceCode: "ON", country: "Canada", countryCode: "CA", zipPrefix: "M5V", streets: ["King St W", "Queen St W"] },
    { city: "London", province: "England", provinceCode: "ENG", country: "United Kingdom", countryCode: "GB", zipPrefix: "SW1", streets: ["Baker Street", "King's Road"] },
  ],
};

export const TAGS = ["vip", "atacado", "newsletter", "b2b", "influencer", "clube", "wholesale", "loyalty"];

export const PRODUCTS: Array<{ title: string; sku: string; grams: number }> = [
  { title: "Camiseta Básica Algodão", sku: "CAM-BAS-001", grams: 180 },
  { title: "Tênis Corrida Leve", sku: "TEN-COR-014", grams: 620 },
  { title: "Calça Jeans Slim", sku: "CAL-JEA-022", grams: 540 },
  { title: "Mochila Urbana 20L", sku: "MOC-URB-020", grams: 700 },
  { title: "Garrafa Térmica 750ml", sku: "GAR-TER-750", grams: 380 },
  { title: "Boné Aba Curva", sku: "BON-ABA-003", grams: 120 },
  { title: "Jaqueta Corta-Vento", sku: "JAQ-COR-009", grams: 450 },
  { title: "Meia Esportiva (3 pares)", sku: "MEI-ESP-003", grams: 150 },
  { title: "Óculos de Sol Polarizado", sku: "OCU-POL-011", grams: 60 },
  { title: "Vale-presente", sku: "GIFT-CARD", grams: 0 },
];
